package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// The usage feed posts partner users' activity in clients' accounts: a
// bad record rejects the batch whole with its index and field; a good
// batch is stored; on a client shared by Alpha and Beta, the panel's
// Portal usage tab shows each partner its own people only; Alpha's users
// page shows its employee's last activity.
func TestActivityOverTheAPIShowsEachPartnerItsOwnPeople(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		st.LoadShared(t, a.db)
		in := a.bearer(st.IngestToken)
		rec := func(client, user string, d, actions int) string {
			return fmt.Sprintf(`{"client":%q,"day":"%s","user":%q,"actions":%d}`, client, day(d), user, actions)
		}
		good := rec("acct-stark.example", st.AlphaEmployee, -1, 7) + "," + rec("acct-stark.example", st.BetaAdmin, -2, 30)
		r := in.ingest("activity", `{"records":[`+good+`,`+rec("acct-stark.example", "ghost@alpha.test", -1, 1)+`]}`)
		if in.status != http.StatusUnprocessableEntity || len(r.Problems) != 1 || r.Problems[0].Index != 2 || r.Problems[0].Field != "user" {
			t.Fatalf("an unknown email: %d %+v", in.status, r)
		}
		r = in.ingest("activity", `{"records":[`+good+`]}`)
		if in.status != http.StatusOK || r.Created != 2 {
			t.Fatalf("good batch: %d %+v", in.status, r)
		}
		tab := func(u *user, partner int) string {
			body := u.get(fmt.Sprintf("/partners/%d/clients/%d?tab=usage", partner, st.Stark))
			if u.status != http.StatusOK {
				t.Fatalf("usage tab of partner %d: %d", partner, u.status)
			}
			return regexp.MustCompile(`(?s)<h3>Your people in this account</h3>.*?</p>`).FindString(body)
		}
		alpha := tab(a.signIn(st.AlphaAdmin), st.AlphaID)
		if !strings.Contains(alpha, "Emil Employee") || strings.Contains(alpha, "Bob Beta") || !strings.Contains(alpha, day(-1).Format("Jan 2, 2006")) {
			t.Errorf("Alpha's people on Stark:\n%s", alpha)
		}
		beta := tab(a.signIn(st.BetaAdmin), st.BetaID)
		if !strings.Contains(beta, "Bob Beta") || strings.Contains(beta, "Emil Employee") {
			t.Errorf("Beta's people on Stark:\n%s", beta)
		}
		row := userRow(a.signIn(st.AlphaAdmin).get(usersURL(st.AlphaID)), st.AlphaEmployeeID)
		if m := regexp.MustCompile(`(?s)data-testid="last-activity">(.*?)</td>`).FindStringSubmatch(row); m == nil || m[1] != day(-1).Format("Jan 2, 2006") {
			t.Errorf("Emil's last activity on the users page:\n%s", row)
		}
	})
}
