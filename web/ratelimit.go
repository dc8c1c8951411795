package web

import (
	"crypto/rand"
	"sync"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

var randRead = rand.Read

// loginLimiter counts failed sign-ins per account and per address over a
// sliding window, and refuses attempts past the limits before any password
// is checked, so that guessing is slow and argon2 cannot be used to load
// the server. It is per process; behind several servers each counts alone.
type loginLimiter struct {
	mu         sync.Mutex
	now        pd.Clock
	window     time.Duration
	perAccount int
	perAddress int
	failures   map[string][]time.Time
}

func newLoginLimiter(now pd.Clock) *loginLimiter {
	return &loginLimiter{now: now, window: 15 * time.Minute, perAccount: 5, perAddress: 20,
		failures: map[string][]time.Time{}}
}

// allow reports whether another attempt may be made, and if not, when.
func (l *loginLimiter) allow(account, addr string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range []struct {
		key   string
		limit int
	}{{"a:" + account, l.perAccount}, {"i:" + addr, l.perAddress}} {
		fs := l.prune(k.key, now)
		if len(fs) >= k.limit {
			return false, fs[0].Add(l.window).Sub(now)
		}
	}
	return true, 0
}

func (l *loginLimiter) fail(account, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range []string{"a:" + account, "i:" + addr} {
		l.failures[k] = append(l.prune(k, now), now)
	}
}

// succeed forgets an account's failures (not the address's).
func (l *loginLimiter) succeed(account string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, "a:"+account)
}

func (l *loginLimiter) prune(key string, now time.Time) []time.Time {
	fs := l.failures[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= l.window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.failures, key)
	} else {
		l.failures[key] = fs
	}
	return fs
}
