package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

func assignURL(partner int) string { return fmt.Sprintf("/partners/%d/clients/assign", partner) }

// clientRows are the ids of the Clients table's rows.
func clientRows(body string) []string {
	var ids []string
	for _, m := range regexp.MustCompile(`<tr data-client="(\d+)">`).FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// A partner admin selects several clients of the table and assigns them
// to an employee; the table filters by that employee; the panel and the
// users page unassign and add; an employee sees no such form and is
// refused; another partner's admin cannot reach Alpha's employee.
func TestAssigningClientsOverHTTP(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		alice := a.signIn(st.AlphaAdmin)
		body := alice.get(clientsURL(st.AlphaID))
		if !strings.Contains(body, `data-testid="assign-form"`) || !strings.Contains(body, `data-testid="employee-filter"`) {
			t.Fatalf("no assignment form for a partner admin:\n%s", mainText(body))
		}
		alice.post(assignURL(st.AlphaID), url.Values{"user": {fmt.Sprint(st.AlphaEmployeeID)}, "op": {"assign"},
			"client": {fmt.Sprint(st.Northwind), fmt.Sprint(st.Globex)}, "list": {"sort=name&dir=asc"}})
		if alice.status != http.StatusSeeOther || alice.location != clientsURL(st.AlphaID)+"?dir=asc&notice=assigned&sort=name" {
			t.Fatalf("assign: %d %s", alice.status, alice.location)
		}
		body = alice.get(fmt.Sprintf("%s?employee=%d&sort=name&dir=asc", clientsURL(st.AlphaID), st.AlphaEmployeeID))
		want := []string{fmt.Sprint(st.Globex), fmt.Sprint(st.Initech), fmt.Sprint(st.Northwind), fmt.Sprint(st.Umbrella)}
		if got := clientRows(body); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("filtered by Emil: %v, want %v", got, want)
		}
		// The panel names Emil and unassigns him.
		panel := alice.get(fmt.Sprintf("%s/%d", clientsURL(st.AlphaID), st.Northwind))
		if m := regexp.MustCompile(`(?s)data-testid="assignees">.*?</ul>`).FindString(panel); !strings.Contains(m, "Emil Employee") {
			t.Fatalf("Northwind's assignees: %s", m)
		}
		alice.post(assignURL(st.AlphaID), url.Values{"user": {fmt.Sprint(st.AlphaEmployeeID)}, "op": {"unassign"},
			"client": {fmt.Sprint(st.Northwind)}, "back": {"panel"}})
		if alice.status != http.StatusSeeOther || alice.location != fmt.Sprintf("%s/%d", clientsURL(st.AlphaID), st.Northwind) {
			t.Fatalf("unassign from the panel: %d %s", alice.status, alice.location)
		}
		// The users page lists Emil's clients and adds one by account id.
		alice.post(assignURL(st.AlphaID), url.Values{"user": {fmt.Sprint(st.AlphaEmployeeID)}, "op": {"assign"},
			"account": {"acct-northwind.example"}, "back": {"users"}})
		if alice.status != http.StatusSeeOther || alice.location != usersURL(st.AlphaID)+"?notice=assigned" {
			t.Fatalf("add from the users page: %d %s", alice.status, alice.location)
		}
		row := userRow(alice.get(alice.location), st.AlphaEmployeeID)
		for _, w := range []string{"Northwind Traders", "Globex Corp", "Initech", "Umbrella Co", fmt.Sprintf("employee=%d\">4</a>", st.AlphaEmployeeID)} {
			if !strings.Contains(row, w) {
				t.Errorf("Emil's row lacks %q:\n%s", w, row)
			}
		}
		if audit := alice.get(fmt.Sprintf("/partners/%d/audit", st.AlphaID)); !strings.Contains(audit, "Assigned a client to an employee") ||
			!strings.Contains(audit, "Unassigned a client from an employee") {
			t.Error("the audit log lacks the assignments")
		}

		emil := a.signIn(st.AlphaEmployee)
		if body := emil.get(clientsURL(st.AlphaID)); strings.Contains(body, `data-testid="assign-form"`) || strings.Contains(body, `data-testid="employee-filter"`) {
			t.Error("an employee sees the assignment form")
		}
		emil.post(assignURL(st.AlphaID), url.Values{"user": {fmt.Sprint(st.AlphaEmployeeID)}, "op": {"assign"}, "client": {fmt.Sprint(st.Northwind)}})
		if emil.status != http.StatusForbidden {
			t.Errorf("an employee assigning: %d", emil.status)
		}
		bob := a.signIn(st.BetaAdmin)
		bob.post(assignURL(st.BetaID), url.Values{"user": {fmt.Sprint(st.AlphaEmployeeID)}, "op": {"unassign"}, "client": {fmt.Sprint(st.Hooli)}})
		if bob.status != http.StatusNotFound {
			t.Errorf("Beta's admin unassigning Alpha's employee: %d", bob.status)
		}
		alice.post(assignURL(st.AlphaID), url.Values{"user": {fmt.Sprint(st.AlphaEmployeeID)}, "op": {"assign"}, "client": {fmt.Sprint(st.Hooli)}})
		if alice.status != http.StatusNotFound {
			t.Errorf("Alpha's admin assigning Beta's client: %d", alice.status)
		}
	})
}
