package web

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	pd "github.com/partnerdesk/partnerdesk"
)

// jsonLevel is an array or object being read, and where in it the current
// value is.
type jsonLevel struct {
	array   bool
	index   int    // array: the current value's
	key     string // object: the current value's name
	wantKey bool   // object: the next token is a name (or the end)
}

// utf8Problems names each string of a JSON body (a name or a value) whose
// bytes are not UTF-8 text, at its record and field like a schema problem,
// as a *pd.BatchError. raw must be JSON.
func utf8Problems(raw []byte) error {
	var stack []*jsonLevel
	var ps pd.ProblemList
	report := func() {
		var loc []string
		for _, l := range stack {
			if l.array {
				loc = append(loc, strconv.Itoa(l.index))
			} else {
				loc = append(loc, l.key)
			}
		}
		ps.Add(pd.NotUTF8(problemAt(loc)))
	}
	// valueDone moves the innermost level past the value just read.
	valueDone := func() {
		if len(stack) == 0 {
			return
		}
		if l := stack[len(stack)-1]; l.array {
			l.index++
		} else {
			l.wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			break // the end: raw was parsed before
		}
		// Before a token there are only ASCII separators and spaces.
		bad := !utf8.Valid(raw[start:dec.InputOffset()])
		if n := len(stack); n > 0 && stack[n-1].wantKey {
			if tok == json.Delim('}') {
				stack = stack[:n-1]
				valueDone()
				continue
			}
			stack[n-1].key, stack[n-1].wantKey = tok.(string), false
			if bad {
				report()
			}
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &jsonLevel{wantKey: true})
		case json.Delim('['):
			stack = append(stack, &jsonLevel{array: true})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			if bad {
				report()
			}
			valueDone()
		}
	}
	return ps.Err()
}
