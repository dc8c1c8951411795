package web

import (
	"fmt"
	"net/http"
	"time"
)

// timingWriter adds a Server-Timing header with the time from the start of
// the request to its first byte, so that load tests can read server time
// apart from the network's; and it keeps the status and size of the
// answer for the access log.
type timingWriter struct {
	http.ResponseWriter
	start  time.Time
	done   bool
	status int
	bytes  int64
}

func (w *timingWriter) WriteHeader(code int) {
	if !w.done {
		w.done = true
		w.status = code
		w.Header().Set("Server-Timing", fmt.Sprintf("app;dur=%.3f", float64(time.Since(w.start).Microseconds())/1000))
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *timingWriter) Write(b []byte) (int, error) {
	if !w.done {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *timingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
