package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A request's id is the trusted proxy's, else made here; it comes back in
// X-Request-Id, stands on error pages and in the request's log lines; an
// unknown address gets the site's own 404 page.
func TestRequestIDsReachTheAnswerThePageAndTheLog(t *testing.T) {
	e := st.Engines()[0]
	for _, trust := range []bool{false, true} {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		var logs lockedBuffer
		srv, err := web.New(db, web.Config{TrustProxy: trust}, slog.New(slog.NewTextHandler(&logs, nil)), st.Clock)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("GET", "/no/such/page?token=secret", nil)
		req.Header.Set("X-Request-Id", "from-the-proxy")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		id := rec.Header().Get("X-Request-Id")
		if trust != (id == "from-the-proxy") || len(id) < 16 && !trust {
			t.Fatalf("trust %v: request id %q", trust, id)
		}
		body := rec.Body.String()
		if rec.Code != http.StatusNotFound || !strings.Contains(body, "<html") || !strings.Contains(body, id) {
			t.Fatalf("trust %v: unknown address: %d\n%s", trust, rec.Code, body)
		}
		line := ""
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, "msg=request") {
				line = l
			}
		}
		if !strings.Contains(line, "request_id="+id) || !strings.Contains(line, "status=404") || !strings.Contains(line, "route=unmatched") ||
			strings.Contains(line, "secret") || strings.Contains(line, "/no/such") {
			t.Fatalf("trust %v: access log line %q", trust, line)
		}
	}
}
