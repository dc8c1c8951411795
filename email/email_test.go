package email_test

import (
	"context"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/email"
	"github.com/partnerdesk/partnerdesk/email/emailtest"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// Each kind of email reaches a real SMTP server (over STARTTLS, signed
// in) as a mail client expects it: multipart/alternative, the text then
// the HTML, with From, To, Subject, Date, a Message-ID that is the
// outbox's, and List-Unsubscribe on the digest only.
func TestEmailsArriveAsMailClientsExpectThem(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		ctx, mailer := context.Background(), composer(t)
		if _, err := db.RequestPasswordReset(ctx, mailer, store.DefaultResetLimits, st.AlphaAdmin, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.InviteUser(st.As(st.AlphaAdmin), mailer, pd.Invitation{Email: "zoé@alpha.test", Name: "Zoé Ünal", Role: pd.RolePartnerEmployee}); err != nil {
			t.Fatal(err)
		}
		if n, err := db.QueueDigests(ctx, mailer, pd.DateOf(st.Now, time.UTC)); err != nil || n != 1 { // Alpha's Globex upgrade
			t.Fatalf("digests: %d %v", n, err)
		}
		srv := emailtest.Start(t, emailtest.Options{STARTTLS: true, User: "relay", Password: "s3cret"})
		if n, err := (&email.Worker{DB: db, Sender: sender(t, srv), From: from}).DeliverDue(ctx); err != nil || n != 3 {
			t.Fatalf("delivered %d: %v", n, err)
		}
		byID := map[string]pd.OutboxEmail{}
		for _, m := range outbox(t, db) {
			byID["<"+m.MessageID+">"] = m
		}
		got := srv.Messages()
		if len(got) != 3 {
			t.Fatalf("%d messages", len(got))
		}
		for _, r := range got {
			m, ok := byID[r.Header.Get("Message-ID")]
			if !ok {
				t.Fatalf("Message-ID %q is not the outbox's", r.Header.Get("Message-ID"))
			}
			to, err := mail.ParseAddress(r.Header.Get("To"))
			if err != nil || to.Address != m.To || to.Name != m.ToName {
				t.Errorf("%s: To %q (%v), want %s <%s>", m.Kind, r.Header.Get("To"), err, m.ToName, m.To)
			}
			subject, err := new(mime.WordDecoder).DecodeHeader(r.Header.Get("Subject"))
			date, derr := r.Header.Date()
			if err != nil || subject != m.Subject || derr != nil || !date.Equal(m.CreatedAt.Truncate(time.Second)) ||
				r.Header.Get("From") != from.String() || r.Header.Get("MIME-Version") != "1.0" {
				t.Errorf("%s: headers %v", m.Kind, r.Header)
			}
			if strings.Join(r.PartTypes, ", ") != "text/plain; charset=utf-8, text/html; charset=utf-8" ||
				lf(r.Text) != m.Text || lf(r.HTML) != m.HTML || !strings.Contains(r.HTML, "</html>") {
				t.Errorf("%s: parts %q", m.Kind, r.PartTypes)
			}
			if unsub := r.Header.Get("List-Unsubscribe"); (m.Kind == pd.EmailDigest) != (unsub == "<https://partners.example.com/account>") {
				t.Errorf("%s: List-Unsubscribe %q", m.Kind, unsub)
			}
			if r.From != from.Address || len(r.To) != 1 || r.To[0] != m.To || r.Auth != "relay" || !r.TLS {
				t.Errorf("%s: envelope from %s to %v, signed in as %q, TLS %v", m.Kind, r.From, r.To, r.Auth, r.TLS)
			}
			links := map[string]string{pd.EmailReset: "https://partners.example.com/password/reset/",
				pd.EmailInvitation: "https://partners.example.com/invite/", pd.EmailDigest: "https://partners.example.com/partners/1/renewals/2"}
			if !strings.Contains(r.Text, links[m.Kind]) || !strings.Contains(r.HTML, `href="`+links[m.Kind]) {
				t.Errorf("%s: no link to %s in\n%s", m.Kind, links[m.Kind], r.Text)
			}
		}
	})
}

// lf turns the wire's line ends back into Go's.
func lf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// Implicit TLS (smtps://) delivers too; a wrong password is the server's
// problem, not the message's: the message waits for a retry.
func TestImplicitTLSAndAWrongPassword(t *testing.T) {
	db := st.OpenSQLite(t, st.Clock)
	st.Load(t, db)
	invite(t, db, 1)
	srv := emailtest.Start(t, emailtest.Options{ImplicitTLS: true, User: "relay", Password: "right"})
	wrong := srv.URL()
	wrong = strings.Replace(wrong, ":right@", ":wrong@", 1)
	s, err := email.NewSMTP(wrong)
	if err != nil {
		t.Fatal(err)
	}
	s.TLS = srv.ClientTLS
	if n, err := (&email.Worker{DB: db, Sender: s, From: from}).DeliverDue(context.Background()); err != nil || n != 0 {
		t.Fatalf("with a wrong password: %d %v", n, err)
	}
	for _, m := range outbox(t, db) {
		if m.Status != pd.OutboxQueued || !strings.Contains(m.LastError, "sign in to SMTP server") {
			t.Errorf("after a wrong password: %s %q", m.Status, m.LastError)
		}
	}
	db2 := st.OpenSQLite(t, st.Clock)
	st.Load(t, db2)
	invite(t, db2, 1)
	if n, err := (&email.Worker{DB: db2, Sender: sender(t, srv), From: from}).DeliverDue(context.Background()); err != nil || n != 1 {
		t.Fatalf("smtps: %d %v", n, err)
	}
	if m := srv.Messages(); len(m) != 1 || !m[0].TLS {
		t.Errorf("smtps: %+v", m)
	}
}

func TestSMTPURLs(t *testing.T) {
	for _, c := range []struct {
		url, addr string
		ok        bool
	}{
		{"smtp://mail.example.com", "mail.example.com:587", true},
		{"smtps://u:p%40ss@mail.example.com", "mail.example.com:465", true},
		{"smtp://user:pass@127.0.0.1:2525", "127.0.0.1:2525", true},
		{"smtp://[::1]:25", "[::1]:25", true},
		{"http://mail.example.com", "", false},
		{"smtp://", "", false},
		{"smtp://mail.example.com/path", "", false},
		{"smtp://mail.example.com?tls=no", "", false},
		{"mail.example.com:587", "", false},
	} {
		s, err := email.NewSMTP(c.url)
		if (err == nil) != c.ok || c.ok && s.Addr() != c.addr {
			t.Errorf("%s: %v, %v", c.url, s, err)
		}
	}
	for _, c := range []struct {
		url string
		ok  bool
	}{
		{"https://partners.example.com/", true}, {"http://127.0.0.1:8080", true}, {"https://example.com/partnerdesk", true},
		{"ftp://example.com", false}, {"https://example.com/?a=b", false}, {"partners.example.com", false}, {"https://u:p@example.com", false},
	} {
		if _, err := email.ParseBaseURL(c.url); (err == nil) != c.ok {
			t.Errorf("base URL %s: %v", c.url, err)
		}
	}
}
