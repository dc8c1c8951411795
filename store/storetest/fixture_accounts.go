package storetest

import (
	"context"
	"regexp"
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// AlphaDigestEmail is the outbox's one message: yesterday's digest to
// Alice Alpha, sent.
const AlphaDigestEmail = 1

func loadAccounts(t testing.TB, db *store.DB) {
	t.Helper()
	err := db.Bulk(context.Background(), func(b *store.Bulk) error {
		return b.Insert("outbox", []string{"id", "kind", "recipient", "recipient_name", "user_id", "subject", "text_body", "html_body",
			"list_unsubscribe", "message_id", "dedupe_key", "status", "created_at", "attempts", "next_attempt_at", "sent_at"},
			AlphaDigestEmail, "digest", AlphaAdmin, "Alice Alpha", AlphaAdminID, "1 renewal decision due within 14 days for Alpha Agency",
			"Hello Alice Alpha,\n", "<p>Hello Alice Alpha,</p>", "http://localhost:8080/account", "fixture-digest@localhost",
			"digest:2:"+Now.AddDate(0, 0, -1).Format("2006-01-02"), "sent", Now.AddDate(0, 0, -1), 1, Now.AddDate(0, 0, -1), Now.AddDate(0, 0, -1))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Admin is a context signed in as the fixture's program admin.
func Admin() context.Context {
	return pd.WithPrincipal(context.Background(), &pd.Principal{UserID: AdminID, Name: "Ada Admin", Email: AdminEmail, Role: pd.RoleProgramAdmin})
}

// As is a context signed in as one of the fixture's users.
func As(email string) context.Context {
	p := map[string]*pd.Principal{
		AdminEmail:    {UserID: AdminID, Name: "Ada Admin", Role: pd.RoleProgramAdmin},
		AlphaAdmin:    {UserID: AlphaAdminID, Name: "Alice Alpha", Role: pd.RolePartnerAdmin, PartnerID: AlphaID},
		AlphaEmployee: {UserID: AlphaEmployeeID, Name: "Emil Employee", Role: pd.RolePartnerEmployee, PartnerID: AlphaID},
		BetaAdmin:     {UserID: BetaAdminID, Name: "Bob Beta", Role: pd.RolePartnerAdmin, PartnerID: BetaID},
		ManagerEmail:  {UserID: ManagerID, Name: "Maya Manager", Role: pd.RolePartnerManager, StaffID: 1},
	}[email]
	if p == nil {
		panic("storetest: no fixture user " + email)
	}
	p.Email = email
	return pd.WithPrincipal(context.Background(), p)
}

// Emails are the outbox's messages to the address to, newest first.
func Emails(t testing.TB, db *store.DB, to string) []pd.OutboxEmail {
	t.Helper()
	ms, _, err := db.ListOutbox(Admin(), 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	var out []pd.OutboxEmail
	for _, m := range ms {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}

var linkToken = regexp.MustCompile(`/(?:password/reset|invite)/([A-Za-z0-9_-]+)`)

// LinkToken is the secret of the reset or invitation link in an email's
// text; the test fails without one.
func LinkToken(t testing.TB, m pd.OutboxEmail) string {
	t.Helper()
	s := linkToken.FindStringSubmatch(m.Text)
	if s == nil {
		t.Fatalf("no reset or invitation link in %q", m.Text)
	}
	return s[1]
}

// LinkPath is the path of the reset or invitation link in an email's text.
func LinkPath(t testing.TB, m pd.OutboxEmail) string {
	t.Helper()
	s := linkToken.FindString(m.Text)
	if s == "" {
		t.Fatalf("no reset or invitation link in %q", m.Text)
	}
	return s
}
