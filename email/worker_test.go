package email_test

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/email"
	"github.com/partnerdesk/partnerdesk/email/emailtest"
	"github.com/partnerdesk/partnerdesk/store"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

var from = &mail.Address{Name: "Test Program", Address: "partners@vendor.test"}

func composer(t *testing.T) *email.Composer {
	t.Helper()
	c, err := email.NewComposer("https://partners.example.com")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// invite queues n invitations as the program admin, one email each.
func invite(t *testing.T, db *store.DB, n int) {
	t.Helper()
	mail := composer(t)
	for i := range n {
		if _, err := db.InviteUser(st.Admin(), mail, pd.Invitation{Email: fmt.Sprintf("staff%02d@vendor.test", i),
			Name: fmt.Sprintf("Staff %d", i), Role: pd.RoleRenewalManager}); err != nil {
			t.Fatal(err)
		}
	}
}

func sender(t *testing.T, srv *emailtest.Server) *email.SMTP {
	t.Helper()
	s, err := email.NewSMTP(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	s.TLS, s.Timeout = srv.ClientTLS, 5*time.Second
	return s
}

// run starts a worker until the test ends.
func run(t *testing.T, w *email.Worker) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// outbox is every message of the outbox, by id.
func outbox(t *testing.T, db *store.DB) map[int64]pd.OutboxEmail {
	t.Helper()
	ms, _, err := db.ListOutbox(st.Admin(), 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]pd.OutboxEmail{}
	for _, m := range ms {
		if m.ID != st.AlphaDigestEmail {
			out[m.ID] = m
		}
	}
	return out
}

// waitUntil polls cond for up to 20 seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// exactlyOnce checks that the server got each queued message once.
func exactlyOnce(t *testing.T, srv *emailtest.Server, queued map[int64]pd.OutboxEmail) {
	t.Helper()
	got := map[string]int{}
	for _, m := range srv.Messages() {
		got[strings.Trim(m.Header.Get("Message-ID"), "<>")]++
	}
	for _, m := range queued {
		if got[m.MessageID] != 1 {
			t.Errorf("message %d (%s) received %d times", m.ID, m.To, got[m.MessageID])
		}
		delete(got, m.MessageID)
	}
	for id, n := range got {
		t.Errorf("received %d times a message never queued: %s", n, id)
	}
}

// The SMTP server is down for a while (nothing listens), then up: two
// workers on two handles of one database, as two servers have, retry
// with backoff and deliver each message exactly once.
func TestOutageThenRecoveryDeliversEachMessageOnce(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		clock := st.NewClock()
		one, two := e.OpenTwo(t, clock.Now)
		st.Load(t, one)
		invite(t, one, 12)
		srv := emailtest.Down(t, emailtest.Options{})
		for _, db := range []*store.DB{one, two} {
			run(t, &email.Worker{DB: db, Sender: sender(t, srv), From: from, Poll: 5 * time.Millisecond, Batch: 4})
		}
		// Down: every message is tried once, then waits its retry.
		waitUntil(t, "every message was tried", func() bool {
			for _, m := range outbox(t, one) {
				if m.Attempts == 0 || m.LastError == "" || !m.NextAttempt.After(clock.Now()) {
					return false
				}
			}
			return true
		})
		time.Sleep(100 * time.Millisecond) // twenty polls each: no retry before its time
		for id, m := range outbox(t, one) {
			if m.Status != pd.OutboxQueued || m.Attempts != 1 || !m.NextAttempt.Equal(clock.Now().Add(time.Minute)) ||
				!strings.Contains(m.LastError, "connect to SMTP server") {
				t.Fatalf("message %d during the outage: %+v", id, m)
			}
		}
		// Still down at the retry: the next wait is twice as long.
		clock.Advance(time.Minute)
		waitUntil(t, "the second attempts", func() bool {
			for _, m := range outbox(t, one) {
				if m.Attempts != 2 || m.ClaimedUntil.After(clock.Now()) {
					return false
				}
			}
			return true
		})
		for _, m := range outbox(t, one) {
			if !m.NextAttempt.Equal(clock.Now().Add(2 * time.Minute)) {
				t.Fatalf("second retry of message %d at %s, want in 2 minutes", m.ID, m.NextAttempt.Sub(clock.Now()))
			}
		}
		srv.Up()
		clock.Advance(2 * time.Minute)
		srv.WaitFor(12, 20*time.Second)
		waitUntil(t, "every message is recorded sent", func() bool {
			for _, m := range outbox(t, one) {
				if m.Status != pd.OutboxSent {
					return false
				}
			}
			return true
		})
		time.Sleep(100 * time.Millisecond) // nothing more comes
		exactlyOnce(t, srv, outbox(t, one))
	})
}

// With the server up all along, workers racing over one outbox send each
// message once.
func TestRacingWorkersSendEachMessageOnce(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		one, two := e.OpenTwo(t, st.Clock)
		st.Load(t, one)
		srv := emailtest.Start(t, emailtest.Options{})
		for i := range 4 {
			db := one
			if i%2 == 1 {
				db = two
			}
			run(t, &email.Worker{DB: db, Sender: sender(t, srv), From: from, Poll: time.Millisecond, Batch: 2,
				Name: fmt.Sprintf("worker-%d", i)})
		}
		invite(t, one, 40) // queued while the workers poll
		srv.WaitFor(40, 30*time.Second)
		waitUntil(t, "every message is recorded sent", func() bool {
			for _, m := range outbox(t, one) {
				if m.Status != pd.OutboxSent {
					return false
				}
			}
			return true
		})
		time.Sleep(50 * time.Millisecond)
		exactlyOnce(t, srv, outbox(t, one))
	})
}

// A message whose worker died mid-send waits out its claim, then goes once.
func TestAClaimOfADeadWorkerIsTakenAgain(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		clock := st.NewClock()
		db := e.Open(t, clock.Now)
		st.Load(t, db)
		invite(t, db, 3)
		if ms, err := db.ClaimEmails(context.Background(), "dead", 5*time.Minute, 1); err != nil || len(ms) != 1 {
			t.Fatal(ms, err)
		}
		srv := emailtest.Start(t, emailtest.Options{})
		run(t, &email.Worker{DB: db, Sender: sender(t, srv), From: from, Poll: 5 * time.Millisecond})
		srv.WaitFor(2, 10*time.Second)
		time.Sleep(50 * time.Millisecond)
		if n := len(srv.Messages()); n != 2 {
			t.Fatalf("%d messages while one is claimed by a dead worker", n)
		}
		clock.Advance(5 * time.Minute)
		srv.WaitFor(3, 10*time.Second)
		time.Sleep(50 * time.Millisecond)
		exactlyOnce(t, srv, outbox(t, db))
	})
}

// A recipient the server refuses (5xx) fails at once; a message still not
// delivered when the worker gives up fails too; the others go.
func TestRefusedAndHopelessMessagesFail(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		clock := st.NewClock()
		db := e.Open(t, clock.Now)
		st.Load(t, db)
		invite(t, db, 3)
		srv := emailtest.Start(t, emailtest.Options{Refuse: func(to string) error {
			switch to {
			case "staff01@vendor.test":
				return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}
			case "staff02@vendor.test":
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try later"}
			}
			return nil
		}})
		w := &email.Worker{DB: db, Sender: sender(t, srv), From: from, GiveUp: 2 * time.Minute}
		for range 4 {
			if _, err := w.DeliverDue(context.Background()); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Minute)
		}
		by := map[string]pd.OutboxEmail{}
		for _, m := range outbox(t, db) {
			by[m.To] = m
		}
		if m := by["staff00@vendor.test"]; m.Status != pd.OutboxSent || m.Attempts != 1 {
			t.Errorf("the good one: %+v", m)
		}
		if m := by["staff01@vendor.test"]; m.Status != pd.OutboxFailed || m.Attempts != 1 || !strings.Contains(m.LastError, "550") {
			t.Errorf("the refused one: %+v", m)
		}
		if m := by["staff02@vendor.test"]; m.Status != pd.OutboxFailed || m.Attempts != 2 || !strings.Contains(m.LastError, "given up after 2 attempts") {
			t.Errorf("the hopeless one: %s after %d attempts: %s", m.Status, m.Attempts, m.LastError)
		}
		if n := len(srv.Messages()); n != 1 {
			t.Errorf("%d messages received", n)
		}
	})
}

// A stopped worker returns, leaving what it had not sent for the next.
func TestStoppedWorkerLosesNothing(t *testing.T) {
	db := st.OpenSQLite(t, st.Clock)
	st.Load(t, db)
	invite(t, db, 2)
	srv := emailtest.Down(t, emailtest.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := (&email.Worker{DB: db, Sender: sender(t, srv), From: from}).Run(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	}()
	wg.Wait()
	srv.Up()
	if n, err := (&email.Worker{DB: db, Sender: sender(t, srv), From: from}).DeliverDue(context.Background()); err != nil || n != 2 {
		t.Fatalf("the next worker sent %d: %v", n, err)
	}
	exactlyOnce(t, srv, outbox(t, db))
}
