package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// On a client two partners share, each renewal is its owner's to decide:
// the other partner's page is read-only and says who decides, its post is
// refused, and once the owner decides, the other sees the decision under
// the owner's name, without its user or note, in its renewal's history and
// in its own audit log.
func TestSharedRenewalIsDecidedByItsOwnerOnly(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		st.LoadShared(t, a.db)
		alpha, beta := a.signIn(st.AlphaAdmin), a.signIn(st.BetaAdmin)
		alphas := fmt.Sprintf("%s/%d", renewalsURL(st.BetaID), st.StarkRenewal)
		body := beta.get(alphas)
		if beta.status != http.StatusOK || !strings.Contains(body, "Alpha Agency, another partner of Stark Industries, owns the communication") ||
			!strings.Contains(body, `Alpha Agency <span class="muted">(another partner)</span>`) ||
			strings.Contains(body, `action="`+alphas+`/decision"`) || strings.Contains(body, `action="`+alphas+`/owner"`) ||
			strings.Contains(body, `action="`+alphas+`/contact"`) {
			t.Errorf("Beta's page of Alpha's renewal: %d, not read-only\n%s", beta.status, body)
		}
		body = beta.post(alphas+"/decision", url.Values{"decision": {"cancellation_requested"}, "confirm": {"yes"}})
		if beta.status != http.StatusForbidden || !strings.Contains(body, "Alpha Agency owns the communication of this renewal") {
			t.Errorf("Beta deciding Alpha's renewal: %d\n%s", beta.status, body)
		}

		const note = "Beta only: they are moving to a competitor."
		betas := fmt.Sprintf("%s/%d", renewalsURL(st.BetaID), st.StarkUpgrade)
		if body := beta.get(betas); !strings.Contains(body, `action="`+betas+`/decision"`) {
			t.Fatal("Beta is not offered the decision on its own renewal")
		}
		beta.post(betas+"/decision", url.Values{"decision": {"cancellation_requested"}, "note": {note}, "confirm": {"yes"}})
		if beta.status != http.StatusSeeOther {
			t.Fatalf("Beta deciding its renewal: %d", beta.status)
		}
		body = alpha.get(fmt.Sprintf("%s/%d", renewalsURL(st.AlphaID), st.StarkUpgrade))
		if !strings.Contains(body, `data-testid="renewal-status">Cancellation requested`) || !strings.Contains(body, `<span class="muted">Beta Works</span>`) ||
			strings.Contains(body, "Bob Beta") || strings.Contains(body, note) {
			t.Errorf("Alpha's page of Beta's decided renewal:\n%s", body)
		}
		for _, c := range []struct {
			u          *user
			partner    int
			want, hide []string
		}{
			{alpha, st.AlphaID, []string{"Requested cancellation", "Beta Works", "Stark Industries"}, []string{"Bob Beta", note}},
			{beta, st.BetaID, []string{"Requested cancellation", "Bob Beta", "Stark Industries: " + note}, nil},
		} {
			body := c.u.get(fmt.Sprintf("/partners/%d/audit", c.partner))
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("partner %d's audit log lacks %q", c.partner, w)
				}
			}
			for _, h := range c.hide {
				if strings.Contains(body, h) {
					t.Errorf("partner %d's audit log shows %q", c.partner, h)
				}
			}
		}
		// The read API names the owning partner of the client's next renewal.
		body = a.bearer(st.BetaToken).get(fmt.Sprintf("/api/v1/partners/%d/clients/%d", st.BetaID, st.Stark))
		if !strings.Contains(body, `"comm_owner":"partner","comm_partner_id":1,`) {
			t.Errorf("Beta's API view of Stark: %s", body)
		}
	})
}
