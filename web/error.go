package web

import (
	"encoding/json"
	"net/http"
	"net/url"

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
	}
	return http.StatusInternalServerError
}

// error answers a failed request: JSON for the API, a sign-in redirect for
// signed-out page requests, an error page otherwise. Internal errors are
// logged here, once.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	code := pd.ErrorCode(err)
	if code == pd.EInternal {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	st := status(code)
	if isAPI(r) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(st)
		json.NewEncoder(w).Encode(map[string]string{"code": code, "message": pd.ErrorMessage(err)})
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
	s.render(w, r, "error", &errorPage{Status: st, Message: pd.ErrorMessage(err)})
}

type errorPage struct {
	Status  int
	Message string
}
