package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

var linkLimits = store.DefaultConfirmationLimits

func newLink(t *testing.T, db *store.DB, ctx context.Context, nl pd.NewConfirmationLink) (*pd.ConfirmationLink, string) {
	t.Helper()
	if nl.Products == nil {
		nl.Products = []pd.LinkProduct{{Code: "sales-pro", Quantity: 3}}
	}
	l, tok, err := db.CreateConfirmationLink(ctx, nil, nl)
	if err != nil {
		t.Fatal(err)
	}
	return l, tok
}

func linkStatus(t *testing.T, db *store.DB, id int64) pd.LinkStatus {
	t.Helper()
	l, err := db.ConfirmationLink(as(alphaAdmin, 0), id)
	if err != nil {
		t.Fatal(err)
	}
	return l.Status
}

func TestConfirmationLinkLifecycle(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		admin := as(alphaAdmin, 0)
		ctx := context.Background()

		// Created pending, for a client, with a token of 256 bits.
		l, tok := newLink(t, db, admin, pd.NewConfirmationLink{ClientID: st.Northwind, Services: "Onboarding, 3 sessions", ExpectedMRR: 12000})
		if l.Status != pd.LinkPending || l.ClientName != "Northwind Traders" || l.PartnerName == "" || len(tok) < 43 {
			t.Fatalf("created %+v, token %q", l, tok)
		}
		if !l.ExpiresAt.Equal(now.Add(30 * 24 * time.Hour)) {
			t.Errorf("expires %s, want the program's 30 days", l.ExpiresAt)
		}
		pl, err := db.PublicConfirmationLink(ctx, linkLimits, tok, "192.0.2.1")
		if err != nil || pl.PartnerName != "Alpha Agency" && pl.PartnerName == "" || pl.Services != "Onboarding, 3 sessions" || len(pl.Products) != 1 {
			t.Fatalf("public %+v, %v", pl, err)
		}

		// Confirmed once: the window opens today for the program's 90 days;
		// the token then opens nothing and a second answer is refused.
		if err := db.AnswerConfirmationLink(ctx, linkLimits, tok, "192.0.2.1", true, ""); err != nil {
			t.Fatal(err)
		}
		got, _ := db.ConfirmationLink(admin, l.ID)
		today := pd.DateOf(now, time.UTC)
		if got.Status != pd.LinkConfirmed || got.CreditFrom != today || got.CreditTo != today.AddDays(90) {
			t.Errorf("confirmed: %s %s–%s", got.Status, got.CreditFrom, got.CreditTo)
		}
		for _, answer := range []bool{true, false} {
			if err := db.AnswerConfirmationLink(ctx, linkLimits, tok, "192.0.2.1", answer, ""); pd.ErrorCode(err) != pd.ENotFound {
				t.Errorf("reused token answered %v: %v", answer, err)
			}
		}
		if _, err := db.PublicConfirmationLink(ctx, linkLimits, tok, "192.0.2.1"); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("used token opens: %v", err)
		}

		// Rejected with a reason, for a prospect.
		r, rtok := newLink(t, db, admin, pd.NewConfirmationLink{ProspectName: "Acme", ProspectDomain: "Acme.example"})
		if err := db.AnswerConfirmationLink(ctx, linkLimits, rtok, "192.0.2.2", false, "We bought it ourselves"); err != nil {
			t.Fatal(err)
		}
		got, _ = db.ConfirmationLink(admin, r.ID)
		if got.Status != pd.LinkRejected || got.Reason != "We bought it ourselves" || got.ProspectDomain != "acme.example" || got.ClientID != 0 {
			t.Errorf("rejected: %+v", got)
		}

		// Cancelled while pending: its token opens nothing; a second
		// cancel and the cancel of an answered link are refused.
		c, ctok := newLink(t, db, admin, pd.NewConfirmationLink{ClientID: st.Globex})
		if err := db.CancelConfirmationLink(admin, c.ID); err != nil {
			t.Fatal(err)
		}
		if linkStatus(t, db, c.ID) != pd.LinkCancelled {
			t.Error("not cancelled")
		}
		if _, err := db.PublicConfirmationLink(ctx, linkLimits, ctok, "192.0.2.3"); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("cancelled token opens: %v", err)
		}
		for _, id := range []int64{c.ID, l.ID} {
			if err := db.CancelConfirmationLink(admin, id); pd.ErrorCode(err) != pd.EConflict {
				t.Errorf("cancel of %d again: %v", id, err)
			}
		}

		// Expired after its days; then refused like an unknown token.
		x, xtok := newLink(t, db, admin, pd.NewConfirmationLink{ClientID: st.Initech, ExpiryDays: 2})
		now = now.Add(2 * 24 * time.Hour)
		if linkStatus(t, db, x.ID) != pd.LinkExpired {
			t.Error("not expired")
		}
		if err := db.AnswerConfirmationLink(ctx, linkLimits, xtok, "192.0.2.4", true, ""); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("expired token answered: %v", err)
		}
		if err := db.CancelConfirmationLink(admin, x.ID); pd.ErrorCode(err) != pd.EConflict {
			t.Errorf("expired link cancelled: %v", err)
		}
		// An unknown token is the same error as every one above.
		_, errUnknown := db.PublicConfirmationLink(ctx, linkLimits, "no-such-token", "192.0.2.4")
		_, errExpired := db.PublicConfirmationLink(ctx, linkLimits, xtok, "192.0.2.4")
		if errUnknown == nil || errUnknown.Error() != errExpired.Error() {
			t.Errorf("unknown %v, expired %v", errUnknown, errExpired)
		}

		// The confirmed link is used once its credit window has closed.
		now = now.Add(90 * 24 * time.Hour)
		if linkStatus(t, db, l.ID) != pd.LinkUsed {
			t.Error("confirmed link not used after its window")
		}

		// Lists by status; every step is in the audit log.
		for status, want := range map[pd.LinkStatus]int64{pd.LinkUsed: l.ID, pd.LinkRejected: r.ID, pd.LinkCancelled: c.ID, pd.LinkExpired: x.ID} {
			ls, err := db.ConfirmationLinks(admin, store.ConfirmationLinkFilter{Status: status})
			if err != nil || len(ls) != 1 || ls[0].ID != want || len(ls[0].Products) != 1 {
				t.Errorf("%s: %+v, %v", status, ls, err)
			}
		}
		entries, _, err := db.AuditLog(admin, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			if e.Entity == "confirmation_link" {
				actions = append(actions, e.Action)
			}
		}
		if got := strings.Join(actions, " "); got != "confirmation_link_created confirmation_link_cancelled confirmation_link_created "+
			"confirmation_link_rejected confirmation_link_created confirmation_link_confirmed confirmation_link_created" {
			t.Errorf("audit: %s", got)
		}
	})
}

func TestConfirmationLinksStayWithTheirPartner(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		l, _ := newLink(t, db, as(alphaAdmin, 0), pd.NewConfirmationLink{ClientID: st.Northwind})
		beta := as(betaAdmin, 0)
		if _, err := db.ConfirmationLink(beta, l.ID); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("Beta reads Alpha's link: %v", err)
		}
		if err := db.CancelConfirmationLink(beta, l.ID); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("Beta cancels Alpha's link: %v", err)
		}
		if ls, _ := db.ConfirmationLinks(beta, store.ConfirmationLinkFilter{}); len(ls) != 0 {
			t.Errorf("Beta lists %+v", ls)
		}
		// Another partner's client is not found, as one that does not exist.
		if _, _, err := db.CreateConfirmationLink(beta, nil, pd.NewConfirmationLink{ClientID: st.Northwind,
			Products: []pd.LinkProduct{{Code: "sales-pro", Quantity: 1}}}); pd.ErrorCode(err) != pd.ENotFound {
			t.Errorf("Beta links Alpha's client: %v", err)
		}
		// An employee links the clients assigned to them only.
		for id, want := range map[int64]string{st.Initech: "", st.Northwind: pd.EForbidden} {
			_, _, err := db.CreateConfirmationLink(as(alphaEmployee, 0), nil, pd.NewConfirmationLink{ClientID: id,
				Products: []pd.LinkProduct{{Code: "sales-pro", Quantity: 1}}})
			if pd.ErrorCode(err) != want {
				t.Errorf("employee links client %d: %v", id, err)
			}
		}
		// Vendor staff read every link of the partners they view, and
		// cannot create or cancel one.
		staff := as(programAdmin, st.AlphaID)
		if ls, err := db.ConfirmationLinks(staff, store.ConfirmationLinkFilter{}); err != nil || len(ls) != 2 {
			t.Errorf("staff list: %d, %v", len(ls), err)
		}
		if err := db.CancelConfirmationLink(staff, l.ID); pd.ErrorCode(err) != pd.EForbidden {
			t.Errorf("staff cancels: %v", err)
		}
	})
}

func TestConfirmationPageIsRateLimited(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		_, tok := newLink(t, db, as(alphaAdmin, 0), pd.NewConfirmationLink{ClientID: st.Northwind})
		ctx := context.Background()
		// Per address, whatever the tokens: guesses count like real ones.
		for i := range linkLimits.Address.Max {
			if _, err := db.PublicConfirmationLink(ctx, linkLimits, "guess"+string(rune('a'+i%26))+strings.Repeat("x", i), "2001:db8::1"); pd.ErrorCode(err) != pd.ENotFound {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		if _, err := db.PublicConfirmationLink(ctx, linkLimits, tok, "2001:db8::2"); pd.ErrorCode(err) != pd.ETooMany {
			t.Errorf("the same /64 over its limit: %v", err)
		}
		if _, err := db.PublicConfirmationLink(ctx, linkLimits, tok, "192.0.2.9"); err != nil {
			t.Errorf("another address: %v", err)
		}
		// Per token, whatever the addresses.
		for i := 1; i < linkLimits.Token.Max; i++ {
			db.PublicConfirmationLink(ctx, linkLimits, tok, "198.51.100."+string(rune('0'+i%10)))
		}
		if err := db.AnswerConfirmationLink(ctx, linkLimits, tok, "203.0.113.7", true, ""); pd.ErrorCode(err) != pd.ETooMany {
			t.Errorf("token over its limit: %v", err)
		}
		// The window ends.
		now = now.Add(linkLimits.Token.Window)
		if err := db.AnswerConfirmationLink(ctx, linkLimits, tok, "203.0.113.7", true, ""); err != nil {
			t.Errorf("after the window: %v", err)
		}
	})
}

// A prospect's link gets its client when a client of the prospect's
// domain arrives through ingest; a confirmed one gives its partner a sold
// relationship. A domain two partners' links claim stays unmatched.
func TestProspectBecomesAClientWhenItsDomainArrives(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		var now time.Time
		db := loaded(t, e, &now)
		ctx := context.Background()
		alpha, beta := as(alphaAdmin, 0), as(betaAdmin, 0)
		acme, tok := newLink(t, db, alpha, pd.NewConfirmationLink{ProspectName: "Acme", ProspectDomain: "acme.example"})
		if err := db.AnswerConfirmationLink(ctx, linkLimits, tok, "192.0.2.1", true, ""); err != nil {
			t.Fatal(err)
		}
		newLink(t, db, alpha, pd.NewConfirmationLink{ProspectName: "Both", ProspectDomain: "both.example"})
		newLink(t, db, beta, pd.NewConfirmationLink{ProspectName: "Both", ProspectDomain: "both.example"})

		_, err := db.Ingest(as(programAdmin, 0), false, func(i *store.Ingest) error {
			return i.Clients([]pd.ClientRecord{{ID: "acct-acme", Name: "Acme Inc", Domain: "ACME.example"},
				{ID: "acct-both", Name: "Both Ltd", Domain: "both.example"}}, 0)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.ConfirmationLink(alpha, acme.ID)
		if err != nil || got.ClientAccountID != "acct-acme" || got.ClientName != "Acme Inc" {
			t.Fatalf("matched link: %+v %v", got, err)
		}
		page, err := db.ListClients(alpha, pd.ClientFilter{Query: "acme"})
		if err != nil || page.Total != 1 || page.Clients[0].Relationship != pd.RelSold {
			t.Errorf("Alpha's clients: %+v %v", page, err)
		}
		for _, ctx := range []context.Context{alpha, beta} {
			ls, _ := db.ConfirmationLinks(ctx, store.ConfirmationLinkFilter{})
			for _, l := range ls {
				if l.ProspectDomain == "both.example" && l.ClientID != 0 {
					t.Errorf("an ambiguous prospect was matched: %+v", l)
				}
			}
		}
	})
}
