package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

// Every request has an id: the X-Request-Id a trusted proxy sent, or one
// made here. It is sent back in X-Request-Id, shown on error pages, and
// carried into every log line of the request (the logger's handler reads
// it from the context), so that a user can quote it and an operator find
// the request's lines.

type requestIDKey struct{}

// requestIDOf is the id of the request whose context ctx is, or "".
func requestIDOf(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestID takes the proxy's id when it is trusted and looks like one
// (at most 64 of [A-Za-z0-9._-], so that nothing odd reaches the logs),
// else makes one.
func (s *Server) requestID(r *http.Request) string {
	if s.cfg.TrustProxy {
		if id := r.Header.Get("X-Request-Id"); validRequestID(id) {
			return id
		}
	}
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// requestIDHandler adds the request id of the record's context to every
// log line written with one (the …Context methods of slog.Logger).
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := requestIDOf(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// logRequest writes the request's access-log line and its metrics. It
// names the route pattern, never the path or query, which can hold
// tokens (an invitation's, a reset link's); and no header.
func (s *Server) logRequest(r *http.Request, w *timingWriter, d time.Duration) {
	route := r.Pattern
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	s.cfg.Metrics.Request(route, r.Method, status, d)
	if route == "" {
		route = "unmatched"
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
		slog.Duration("duration", d), slog.Int64("bytes", w.bytes))
}
