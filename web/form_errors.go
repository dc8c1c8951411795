package web

import (
	"errors"
	"net/http"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// formErrors are a form's refusals, each a domain error of its own (so
// that each is printed in the user's language), answered together.
type formErrors []*pd.Error

func (fe formErrors) Error() string {
	msgs := make([]string, len(fe))
	for i, e := range fe {
		msgs[i] = e.Message
	}
	return strings.Join(msgs, " ")
}

// Unwrap lets pd.ErrorCode find the first refusal's code.
func (fe formErrors) Unwrap() []error {
	errs := make([]error, len(fe))
	for i, e := range fe {
		errs[i] = e
	}
	return errs
}

// errorText is err's message for the user, in the language of r.
func (s *Server) errorText(r *http.Request, err error) string {
	if err == nil {
		return ""
	}
	l := s.localeOf(r)
	var fe formErrors
	if errors.As(err, &fe) {
		msgs := make([]string, len(fe))
		for i, e := range fe {
			format, args := pd.ErrorMessageFormat(e)
			msgs[i] = l.T(format, args...)
		}
		return strings.Join(msgs, " ")
	}
	format, args := pd.ErrorMessageFormat(err)
	return l.T(format, args...)
}
