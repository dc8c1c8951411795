package email

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/metrics"
	"github.com/partnerdesk/partnerdesk/store"
)

// Worker delivers the outbox. It claims the messages that are due (so
// that another server's worker never sends the same one), sends each
// through Sender, and records the outcome: sent; failed for good when the
// server refuses the recipient or the message; otherwise tried again
// later, each wait twice the one before, until the message is GiveUp old.
// Serve starts one per process; stopping ctx stops it, and what it had
// not sent waits in the outbox for the next start.
type Worker struct {
	DB      *store.DB
	Sender  Sender
	From    *mail.Address
	Log     *slog.Logger
	Metrics *metrics.Metrics
	// Now is the worker's clock (default the store's): when a retry is
	// due, when a message is too old.
	Now pd.Clock
	// Name prefixes this worker's claims (default host/pid).
	Name string
	// Poll is how often the worker looks for due messages (default 5s).
	Poll time.Duration
	// Batch is how many messages one claim takes (default 10), and Lease
	// how long a claim lasts (default 5 minutes): longer than Batch
	// deliveries of SendTimeout each, so that a claim never runs out
	// while its worker is still sending.
	Batch int
	Lease time.Duration
	// SendTimeout bounds one delivery (default 30s); a claimed message is
	// sent only while its claim has that long left.
	SendTimeout time.Duration
	// RetryBase is the wait after the first failed attempt (default 1
	// minute), doubling with each attempt up to RetryMax (default 1 hour);
	// a message still not sent GiveUp after it was queued (default 3
	// days) has failed.
	RetryBase, RetryMax, GiveUp time.Duration
	// after waits for d; tests shorten it.
	after func(d time.Duration) <-chan time.Time
}

func (w *Worker) defaults() {
	if w.Now == nil {
		w.Now = w.DB.Now
	}
	if w.Name == "" {
		host, _ := os.Hostname()
		w.Name = fmt.Sprintf("%s/%d", host, os.Getpid())
	}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	set := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	set(&w.Poll, 5*time.Second)
	set(&w.Lease, 5*time.Minute)
	set(&w.SendTimeout, 30*time.Second)
	set(&w.RetryBase, time.Minute)
	set(&w.RetryMax, time.Hour)
	set(&w.GiveUp, 72*time.Hour)
	if w.Batch <= 0 {
		w.Batch = 10
	}
	if w.after == nil {
		w.after = time.After
	}
}

// Run delivers until ctx ends, and returns ctx's error.
func (w *Worker) Run(ctx context.Context) error {
	w.defaults()
	for {
		if _, err := w.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			w.Log.Error("deliver email", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.after(w.Poll):
		}
	}
}

// DeliverDue delivers the messages due now, batch after batch, until none
// is left or the server is down, and returns how many it sent.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	w.defaults()
	sent := 0
	for ctx.Err() == nil {
		claim := w.Name + "/" + nonce()
		ms, err := w.DB.ClaimEmails(ctx, claim, w.Lease, w.Batch)
		if err != nil || len(ms) == 0 {
			return sent, err
		}
		var down error // the server's failure, which the rest of the batch waits out
		for _, m := range ms {
			if ctx.Err() != nil {
				break // the rest stays claimed until its lease runs out
			}
			err := down
			if err == nil {
				if w.Now().Add(w.SendTimeout).After(m.ClaimedUntil) {
					continue // too little of the claim left: taken again once it has run out
				}
				if err = w.send(ctx, m); ServerDown(err) {
					down = err
				}
			}
			if rerr := w.record(ctx, m, claim, err); rerr != nil {
				return sent, rerr
			}
			if err == nil {
				sent++
			}
		}
		if down != nil {
			return sent, nil // wait for the next poll
		}
	}
	return sent, ctx.Err()
}

// send delivers one message.
func (w *Worker) send(ctx context.Context, m pd.OutboxEmail) error {
	raw, err := Build(m, w.From)
	if err != nil {
		return fmt.Errorf("build email %d: %w", m.ID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, w.SendTimeout)
	defer cancel()
	return w.Sender.Send(ctx, w.From.Address, []string{m.To}, raw)
}

// record stores the outcome err of an attempt at m. It runs even when ctx
// has ended: a message the server accepted must be recorded as sent, or
// it would be sent again.
func (w *Worker) record(ctx context.Context, m pd.OutboxEmail, claim string, err error) error {
	ctx = context.WithoutCancel(ctx)
	var rerr error
	switch {
	case err == nil:
		rerr = w.DB.EmailSent(ctx, m.ID, claim)
		w.Metrics.OutboxDelivery(metrics.DeliverySent)
	case Permanent(err):
		w.Log.Warn("email refused", "id", m.ID, "kind", m.Kind, "err", err)
		rerr = w.DB.EmailNotSent(ctx, m.ID, claim, err.Error(), time.Time{})
		w.Metrics.OutboxDelivery(metrics.DeliveryFailed)
	default:
		delay := w.RetryBase << min(max(m.Attempts-1, 0), 20)
		delay = min(delay, w.RetryMax)
		retry := w.Now().Add(delay)
		if retry.Sub(m.CreatedAt) > w.GiveUp {
			w.Log.Warn("email not delivered in time; given up", "id", m.ID, "kind", m.Kind, "attempts", m.Attempts, "err", err)
			rerr = w.DB.EmailNotSent(ctx, m.ID, claim, fmt.Sprintf("given up after %d attempts: %v", m.Attempts, err), time.Time{})
			w.Metrics.OutboxDelivery(metrics.DeliveryFailed)
			break
		}
		w.Log.Info("email not delivered; will retry", "id", m.ID, "attempt", m.Attempts, "retry_in", delay, "err", err)
		rerr = w.DB.EmailNotSent(ctx, m.ID, claim, err.Error(), retry)
		w.Metrics.OutboxDelivery(metrics.DeliveryRetried)
	}
	if errors.Is(rerr, store.ErrClaimLost) {
		// Another worker took the message after this one's claim ran out:
		// it may have been sent twice. Nothing to record any more.
		w.Log.Warn("email claim ran out before its outcome was recorded", "id", m.ID)
		return nil
	}
	return rerr
}

func nonce() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
