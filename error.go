package partnerdesk

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes, mapped to HTTP statuses in exactly one place (web/error.go).
const (
	EConflict     = "conflict"
	EInternal     = "internal"
	EInvalid      = "invalid"
	ENotFound     = "not_found"
	EUnauthorized = "unauthorized"
	EForbidden    = "forbidden"
	ETooMany      = "too_many_requests"
	// EUnavailable: the database cannot take the work now (its write lock
	// was not granted in time, its file is read-only or gone, its server
	// does not answer); nothing was written, and the request may be retried.
	EUnavailable = "unavailable"
)

// Error is an error with a code and a message meant for the user. The
// message is kept as its format and arguments too, so that the web layer
// can print it in the user's language (the format is the message's key
// in the catalogs).
type Error struct {
	Code    string
	Message string
	Format  string // "" when Message is fixed text (then Message is the key)
	Args    []any
}

func (e *Error) Error() string { return fmt.Sprintf("partnerdesk: %s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err; internal errors get
// a generic one so that nothing about the system leaks.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return msgInternal
}

// msgInternal is the message of every error that is not an *Error.
const msgInternal = "Internal error."

// ErrorMessageFormat returns the user-facing message of err as a format
// and its arguments, for printing in a language: the first *Error's, or
// the generic message of an internal error.
func ErrorMessageFormat(err error) (string, []any) {
	var e *Error
	if errors.As(err, &e) {
		if e.Format == "" {
			return e.Message, nil
		}
		// A message passed whole ("%s", msg) is its own key.
		if m, ok := oneString(e); ok {
			return m, nil
		}
		return e.Format, e.Args
	}
	return msgInternal, nil
}

func oneString(e *Error) (string, bool) {
	if e.Format != "%s" || len(e.Args) != 1 {
		return "", false
	}
	m, ok := e.Args[0].(string)
	return m, ok
}

// FieldErrors are the problems of a form's fields, all of them at once,
// each under the name of the field it is about: an EInvalid error whose
// message joins them, for callers that show no form.
type FieldErrors []Problem

func (e FieldErrors) Error() string { return "partnerdesk: " + EInvalid + ": " + e.message() }

// Unwrap gives the code and the joined message to ErrorCode and
// ErrorMessage.
func (e FieldErrors) Unwrap() error { return Errorf(EInvalid, "%s", e.message()) }

func (e FieldErrors) message() string {
	reasons := make([]string, len(e))
	for i, p := range e {
		reasons[i] = p.Reason
	}
	return strings.Join(reasons, " ")
}

// Add records a problem of field.
func (e *FieldErrors) Add(field, format string, args ...any) {
	*e = append(*e, Problemf(0, field, EInvalid, format, args...))
}

// Err is e as an error, or nil.
func (e FieldErrors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// ByField maps each field to its first problem, for a form.
func (e FieldErrors) ByField() map[string]string {
	m := make(map[string]string, len(e))
	for _, p := range e {
		if _, ok := m[p.Field]; !ok {
			m[p.Field] = p.Reason
		}
	}
	return m
}

// AsFieldErrors finds FieldErrors in err's chain.
func AsFieldErrors(err error) FieldErrors {
	var fe FieldErrors
	if errors.As(err, &fe) {
		return fe
	}
	return nil
}
