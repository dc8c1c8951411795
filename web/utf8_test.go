package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// Bytes that are not UTF-8 are refused, never replaced or stored, with
// the record and field: by the API (whose JSON decoder would turn them into
// U+FFFD) and by the CSV upload alike, on both engines. A U+FFFD that was
// sent is text like any other.
func TestTextThatIsNotUTF8IsRefusedOnEveryDoor(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		in := a.bearer(st.IngestToken)
		reason := pd.NotUTF8(0, "").Reason
		cases := []struct {
			kind, body string
			want       []string // "index field"
		}{
			{"clients", `{"records":[{"id":"acct-utf1","name":"Fine"},{"id":"acct-utf2","name":"Ac` + "\xff" + `me"}]}`, []string{"1 name"}},
			{"clients", `{"records":[{"id":"acct-utf1","name":"Fine","` + "\xc3" + `":"x"}]}`, []string{"0 \ufffd"}},
			{"usage", `{"records":[{"client":"acct-northwind.example","day":"2026-11-2` + "\xe2\x82" + `","tools":["contacts","bl` + "\x80" + `og"],"active_users":1,"seats":1}]}`,
				[]string{"0 day", "0 tools.1"}},
			{"partners", `{"records":[{"id":"p-u","name":"U"}], "note":"` + "\xf0\x9f" + `"}`, []string{"-1 note"}},
		}
		for _, c := range cases {
			r := in.ingest(c.kind, c.body)
			var got []string
			for _, p := range r.Problems {
				got = append(got, fmt.Sprintf("%d %s", p.Index, p.Field))
				if p.Reason != reason || p.Code != pd.EInvalid {
					t.Errorf("%s: problem %+v, want %q", c.kind, p, reason)
				}
			}
			if in.status != http.StatusUnprocessableEntity || !slices.Equal(got, c.want) {
				t.Errorf("API %q: %d %q, want %q", c.body, in.status, got, c.want)
			}
		}
		if n := countRows(t, a, "SELECT COUNT(*) FROM clients WHERE account_id IN ('acct-utf1', 'acct-utf2')"); n != 0 {
			t.Errorf("%d clients written by refused batches", n)
		}
		// A replacement character that was sent, escaped or not, is kept.
		r := in.ingest("clients", `{"records":[{"id":"acct-utf3","name":"Sent `+"\ufffd"+` \ufffd"}]}`)
		if in.status != http.StatusOK || r.Created != 1 {
			t.Errorf("a U+FFFD that was sent: %d %+v", in.status, r)
		}

		admin := a.signIn(st.AdminEmail)
		admin.get("/admin/import")
		files := []struct{ kind, file, want string }{
			{"clients", "id,name\nacct-utf4,Fine\nacct-utf5,Ac\xffme\n", "<td class=\"num\">3</td><td>name</td><td>" + reason + "</td>"},
			{"usage", "client,day,tools,active_users,seats\nacct-northwind.example,2026-11-2\xe2\x82,contacts,1,1\n", "<td class=\"num\">2</td><td>day</td><td>" + reason + "</td>"},
		}
		for _, f := range files {
			body := admin.upload(f.kind, f.file, false)
			if admin.status != http.StatusUnprocessableEntity || !strings.Contains(body, f.want) {
				t.Errorf("upload %q: %d\n%s", f.file, admin.status, between(body, `data-testid="report"`, "</section>"))
			}
		}
		if n := countRows(t, a, "SELECT COUNT(*) FROM clients WHERE account_id IN ('acct-utf4', 'acct-utf5')"); n != 0 {
			t.Errorf("%d clients written by refused files", n)
		}
	})
}

func countRows(t *testing.T, a *app, q string) int {
	t.Helper()
	rows, err := a.db.QueryRaw(ctx(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	rows.Next()
	if err := rows.Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
