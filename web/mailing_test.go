package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/mail"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/email"
	"github.com/partnerdesk/partnerdesk/email/emailtest"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// mailingApp is a server on db whose base URL is its own address, with an
// outbox worker delivering to a real SMTP server the test reads: the
// emails' links open on the server.
func mailingApp(t *testing.T, db *store.DB) (*app, *emailtest.Server) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	srv, err := web.New(db, web.Config{PasswordParams: st.PasswordParams, BaseURL: "http://" + ts.Listener.Addr().String(), MailDelivery: true},
		slog.New(slog.NewTextHandler(io.Discard, nil)), st.Clock)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(ts.Close)
	mailbox := emailtest.Start(t, emailtest.Options{})
	sender, err := email.NewSMTP(mailbox.URL())
	if err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		(&email.Worker{DB: db, Sender: sender, From: &mail.Address{Name: "Test Program", Address: "partners@vendor.test"},
			Poll: 20 * time.Millisecond}).Run(wctx)
	}()
	t.Cleanup(func() { stop(); <-done })
	return &app{t: t, db: db, srv: srv, ts: ts}, mailbox
}
