package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	pd "github.com/partnerdesk/partnerdesk"
)

// status maps domain error codes to HTTP statuses: the only place that does.
func status(code string) int {
	switch code {
	case pd.EConflict:
		return http.StatusConflict
	case pd.EInvalid:
		return http.StatusBadRequest
	case pd.ENotFound:
		return http.StatusNotFound
	case pd.EUnauthorized:
		return http.StatusUnauthorized
	case pd.EForbidden:
		return http.StatusForbidden
	case pd.ETooMany:
		return http.StatusTooManyRequests
	case pd.EUnprocessable:
		return http.StatusUnprocessableEntity
	case pd.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case pd.EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// retryAfter is the Retry-After of a 503, in seconds: about the time a
// write waits for the database's write lock before giving up.
const retryAfter = "5"

// error answers a failed request: JSON for the API, a sign-in redirect for
// signed-out page requests, an error page otherwise. Internal errors are
// logged here, once.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	code := pd.ErrorCode(err)
	switch code {
	case pd.EInternal:
		s.logError(r, "request failed", err)
	case pd.EUnavailable:
		// Not a bug, but the operator must hear of a database that cannot
		// take writes (its cause is in err).
		s.log.WarnContext(r.Context(), "database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.answerError(w, r, err)
}

// answerError writes the answer to a failed request, logging nothing.
func (s *Server) answerError(w http.ResponseWriter, r *http.Request, err error) {
	code := pd.ErrorCode(err)
	st := status(code)
	if st == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfter)
	}
	if isAPI(r) {
		body := apiError{Code: code, Message: pd.ErrorMessage(err)}
		if be := pd.AsBatchError(err); be != nil {
			body.Problems, body.ProblemsTotal = be.Problems, be.Count()
		}
		if st == http.StatusUnauthorized && strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="partnerdesk"`)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(st)
		json.NewEncoder(w).Encode(body)
		return
	}
	if code == pd.EUnauthorized && r.URL.Path != "/login" {
		next := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			next = "/"
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	w.WriteHeader(st)
	s.render(w, r, "error", &errorPage{Status: st, Message: s.errorText(r, err), RequestID: requestIDOf(r.Context())})
}

// logError logs a request's internal error, at debug when it only comes
// from the client going away (its request canceled, or the connection
// broken while the answer was written): nothing to fix on the server.
func (s *Server) logError(r *http.Request, msg string, err error) {
	level := slog.LevelError
	if r.Context().Err() != nil || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
		level = slog.LevelDebug
	}
	s.log.Log(r.Context(), level, msg, "method", r.Method, "path", r.URL.Path, "err", err)
}

// apiError is the body of every API and webhook error.
type apiError struct {
	Code          string       `json:"code"`
	Message       string       `json:"message"`
	Problems      []pd.Problem `json:"problems,omitempty"`       // the first pd.MaxProblems
	ProblemsTotal int          `json:"problems_total,omitempty"` // all of them
}

type errorPage struct {
	Status    int
	Message   string
	RequestID string // to quote when asking for help
}
