package password

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"time"
)

// ErrBusy is returned when no hashing slot came free in time.
var ErrBusy = errors.New("password: every hashing slot is busy")

// Hasher computes a server's argon2id hashes, at most a few at once. Each
// computation holds its parameters' memory (64 MiB by default) for its
// whole run, so without a bound a burst of sign-ins would take memory in
// proportion to the burst; with one, waiting requests cost next to nothing
// and the peak is the slots' memory.
type Hasher struct {
	params Params
	slots  chan struct{}
	wait   time.Duration
	dummy  string
}

// NewHasher returns a hasher that makes hashes with p, computes at most
// slots at once, and lets a computation wait at most wait for a slot.
func NewHasher(p Params, slots int, wait time.Duration) *Hasher {
	// A hash of random bytes, that no password matches, costs the same
	// to check as any other made with p.
	random := make([]byte, saltBytes+keyBytes)
	rand.Read(random)
	return &Hasher{params: p, slots: make(chan struct{}, max(slots, 1)), wait: wait,
		dummy: encode(p, random[:saltBytes], random[saltBytes:])}
}

// Params are the parameters of the hashes h makes.
func (h *Hasher) Params() Params { return h.params }

// do runs fn in a slot, or returns ErrBusy after waiting h.wait for one.
func (h *Hasher) do(ctx context.Context, fn func() error) error {
	select {
	case h.slots <- struct{}{}:
	default:
		timer := time.NewTimer(h.wait)
		defer timer.Stop()
		select {
		case h.slots <- struct{}{}:
		case <-timer.C:
			return ErrBusy
		case <-ctx.Done():
			return fmt.Errorf("wait to hash a password: %w", ctx.Err())
		}
	}
	defer func() { <-h.slots }()
	err := fn()
	// The hash's memory is garbage now; collecting it before the slot
	// takes another keeps the heap near the slots' memory, where the
	// collector's own pacing would let it grow to twice that and more.
	runtime.GC()
	return err
}

// Verify reports whether pw matches encoded and, if it does, whether
// encoded is Outdated and should be replaced by h.Hash(pw). An empty
// encoded (no such account) is checked against a hash made with h's
// parameters, so that it takes as long as a real one, and never matches.
func (h *Hasher) Verify(ctx context.Context, pw, encoded string) (ok, outdated bool, err error) {
	err = h.do(ctx, func() error {
		target := encoded
		if target == "" {
			target = h.dummy
		}
		ok, err = Verify(pw, target)
		return err
	})
	if encoded == "" {
		return false, false, err
	}
	return ok, ok && Outdated(encoded, h.params), err
}

// Hash hashes pw with h's parameters, applying no policy: for replacing an
// outdated hash of a password that just matched it.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	var enc string
	err := h.do(ctx, func() (err error) {
		enc, err = Hash(pw, h.params)
		return err
	})
	return enc, err
}

// New checks a password being set against the policy and hashes it.
func (h *Hasher) New(ctx context.Context, pw string) (string, error) {
	if err := Check(pw); err != nil {
		return "", err
	}
	return h.Hash(ctx, pw)
}
