package web_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"syscall"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// records keeps the level and message of every log record but the
// access log's ("request"), which every request writes.
type records struct {
	mu  sync.Mutex
	got []slog.Record
}

func (h *records) Enabled(context.Context, slog.Level) bool { return true }
func (h *records) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "request" {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, r)
	return nil
}
func (h *records) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *records) WithGroup(string) slog.Handler      { return h }

// brokenPipe is a connection whose client went away: every write fails.
type brokenPipe struct{ h http.Header }

func (w *brokenPipe) Header() http.Header { return w.h }
func (w *brokenPipe) WriteHeader(int)     {}
func (w *brokenPipe) Write([]byte) (int, error) {
	return 0, &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}
}

// A client that goes away (its request canceled, or the connection broken
// while the answer is written) is logged at debug; a fault of the server
// still at error.
func TestClientDisconnectsAreLoggedAtDebug(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		session := &http.Cookie{Name: "pd_session", Value: a.signIn(st.AlphaAdmin).cookie("pd_session")}
		canceled, cancel := context.WithCancel(context.Background())
		cancel()
		for _, c := range []struct {
			name  string
			path  string
			ctx   context.Context
			w     http.ResponseWriter
			level slog.Level
		}{
			{"request canceled", clientsURL(st.AlphaID), canceled, httptest.NewRecorder(), slog.LevelDebug},
			{"broken pipe", clientsURL(st.AlphaID) + ".csv", context.Background(), &brokenPipe{h: http.Header{}}, slog.LevelDebug},
			{"database closed", clientsURL(st.AlphaID), context.Background(), httptest.NewRecorder(), slog.LevelError},
		} {
			log := &records{}
			srv, err := web.New(a.db, web.Config{}, slog.New(log), st.Clock)
			if err != nil {
				t.Fatal(err)
			}
			if c.name == "database closed" {
				a.db.Close()
			}
			req := httptest.NewRequestWithContext(c.ctx, "GET", c.path, nil)
			req.AddCookie(session)
			srv.ServeHTTP(c.w, req)
			if len(log.got) != 1 || log.got[0].Level != c.level {
				var got []string
				for _, r := range log.got {
					got = append(got, r.Level.String()+" "+r.Message)
				}
				t.Errorf("%s: logged %q, want one record at %s", c.name, got, c.level)
			}
		}
	})
}
