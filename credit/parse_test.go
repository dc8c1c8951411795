package credit

import (
	"bytes"
	"fmt"
	"testing"
)

// FuzzFastPathAgreesWithEncodingJSON checks that the hand-written scanner
// reads a line exactly as encoding/json does whenever it accepts it.
func FuzzFastPathAgreesWithEncodingJSON(f *testing.F) {
	for _, seed := range []string{
		`{"id":"ev-1","occurred_at":"2025-01-20T10:00:00Z","partner":"p7","client":"c","product":"a","mrr":100}`,
		` {"mrr":0 , "product":"a","client":"Société Générale","partner":"p","occurred_at":"2025-01-20","id":"x"} `,
		`{"id":"ev-1","occurred_at":"2025-01-20","partner":"p7","client":"c","product":"a","mrr":007}`,
		`{"id":"ev-1","occurred_at":"2025-01-20","partner":"p7","client":"c","product":"a","mrr":1e3}`,
		`{"id":"ev-1","occurred_at":"2025-01-20","partner":"p7","client":"c","product":"a","mrr":100,"id":"ev-2"}`,
		`{"id":"ev-1","occurred_at":"2025-01-20","partner":"p7","client":"c\xff","product":"a","mrr":100}`,
		`{"id":"ev-1","occurred_at":"2025-01-20","partner":"p7","client":"c","product":"a","mrr":100}x`,
		`{"id":"ev-1","occurred_at":"2025-01-20","partner":"p7","client":"c","product":"a","mrr":123456789012345678}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var fast, slow rawEvent
		at, ok := scanFlat(line, &fast)
		if !ok {
			return
		}
		slowAt, err := decodeSlow(line, &slow)
		if err != nil {
			t.Fatalf("fast path accepts what encoding/json rejects (%v): %s", err, line)
		}
		for _, f := range [][2][]byte{{at, slowAt}, {fast.id, slow.id}, {fast.partner, slow.partner},
			{fast.client, slow.client}, {fast.product, slow.product}, {[]byte(fmt.Sprint(fast.mrr)), []byte(fmt.Sprint(slow.mrr))}} {
			if !bytes.Equal(f[0], f[1]) {
				t.Fatalf("fast path reads %q, encoding/json %q: %s", f[0], f[1], line)
			}
		}
	})
}

func TestClientIndexFindsEveryClient(t *testing.T) {
	l := New(Options{})
	name := func(i int) string {
		if i%3 == 0 { // longer than what clientState keeps inline
			return fmt.Sprintf("a-client-with-a-rather-long-account-name-%d", i)
		}
		return fmt.Sprintf("c%d", i)
	}
	for i := range 100_000 {
		if ci := l.client(name(i)); ci != int32(i) {
			t.Fatalf("client %s got index %d", name(i), ci)
		}
	}
	for i := range 100_000 {
		if ci := l.clientBytes([]byte(name(i))); ci != int32(i) {
			t.Fatalf("client %s found at %d", name(i), ci)
		}
	}
	if ci, _ := l.clientIdx.findString(l.clients, "c100000"); ci != -1 {
		t.Errorf("unknown client found at %d", ci)
	}
}
