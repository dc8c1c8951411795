package refresh_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/credit"
	"github.com/partnerdesk/partnerdesk/refresh"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

var ctx = context.Background()

// workedExample loads credit/testdata/worked-example.jsonl into db as
// billing events: partners p7 (id 7) and p9 (id 9), one client per
// account id. It returns the events' file.
func workedExample(t *testing.T, db *store.DB) string {
	t.Helper()
	const file = "../credit/testdata/worked-example.jsonl"
	if err := db.SaveProgram(ctx, store.DefaultProgram); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	clients := map[string]int64{}
	err = db.Bulk(ctx, func(b *store.Bulk) error {
		for _, p := range []int64{7, 9} {
			b.Insert("partners", []string{"id", "external_id", "name", "created_at"}, p, "p"+itoa(p), "Partner "+itoa(p), st.Now)
		}
		for _, e := range events {
			name := e["client"].(string)
			if _, ok := clients[name]; !ok {
				clients[name] = int64(len(clients) + 1)
				b.Insert("clients", []string{"id", "account_id", "name", "created_at"}, clients[name], name, strings.ToUpper(name[:1])+name[1:], st.Now)
			}
		}
		for i, e := range events {
			at, _ := time.Parse(time.RFC3339, e["occurred_at"].(string))
			partner := int64(7)
			if e["partner"] == "p9" {
				partner = 9
			}
			b.Insert("billing_events", []string{"id", "external_id", "occurred_at", "client_id", "partner_id", "product_code", "mrr", "received_at"},
				int64(i+1), e["id"], at, clients[e["client"].(string)], partner, e["product"], int64(e["mrr"].(float64)), at)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return file
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func partnerCtx(id int64) context.Context {
	return pd.WithPrincipal(ctx, &pd.Principal{UserID: 1, Role: pd.RolePartnerAdmin, PartnerID: id})
}

func replay(t *testing.T, file string, from, to string) map[string][]credit.MonthSummary {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fm, _ := credit.ParseMonth(from)
	tm, _ := credit.ParseMonth(to)
	rep, err := credit.Replay(ctx, credit.ReplayOptions{From: fm, To: tm}, f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]credit.MonthSummary{}
	for _, p := range rep.Partners {
		out[p.Partner] = p.Months
	}
	return out
}

func months(t *testing.T, db *store.DB, partner int64, from, to string) []credit.MonthSummary {
	t.Helper()
	f, _ := pd.ParseMonth(from)
	l, _ := pd.ParseMonth(to)
	tab, err := db.TierTab(partnerCtx(partner), pd.TierQuery{Months: pd.Period{From: f, To: l}})
	if err != nil {
		t.Fatal(err)
	}
	var out []credit.MonthSummary
	for _, m := range tab.Months {
		y, mm, _ := m.Month.Time().Date()
		out = append(out, credit.MonthSummary{Month: credit.MakeMonth(y, mm), Opening: m.Opening, Closing: m.Closing,
			Flows: credit.Flows{New: m.New, Upgraded: m.Upgraded, Decreased: m.Decreased, ExpiredLost: m.ExpiredLost}})
	}
	return out
}

// The worked example, loaded as billing events and refreshed, gives the
// same months as the audit command's replay of its file.
func TestRefreshedMonthsEqualTheReplay(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		file := workedExample(t, db)
		stats, err := refresh.Run(ctx, db, st.Now, refresh.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if stats.Mode != refresh.ModeFull || stats.Events != 8 {
			t.Errorf("stats %+v, want a full run over 8 events", stats)
		}
		want := replay(t, file, "2024-11", "2026-11")
		for _, p := range []int64{7, 9} {
			got := months(t, db, p, "2024-11", "2026-11")
			if !reflect.DeepEqual(got, want["p"+itoa(p)]) {
				t.Errorf("p%d's months\n%v\nwant the replay's\n%v", p, got, want["p"+itoa(p)])
			}
		}
	})
}
