package credit

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// rawEvent is one parsed input line. Its byte slices point into the line
// and live only until the next line is read.
type rawEvent struct {
	id, partner, client, product []byte
	at                           int64 // Unix nanoseconds
	day                          Date
	mrr                          int64
}

// parseLine reads one line of the event format. A hand-written scanner
// takes the common shape (a flat object of the six fields, plain strings,
// a plain integer); anything else goes to encoding/json, which is also
// the one judge of what is wrong with a line, so both paths accept the
// same input and only the slow one writes error messages.
func parseLine(b []byte, loc *time.Location, ev *rawEvent) error {
	at, ok := scanFlat(b, ev)
	if !ok {
		var err error
		if at, err = decodeSlow(b, ev); err != nil {
			return err
		}
	}
	for _, f := range [...]struct {
		name string
		v    []byte
	}{{"id", ev.id}, {"partner", ev.partner}, {"client", ev.client}, {"product", ev.product}} {
		if len(f.v) == 0 {
			return fmt.Errorf("%q is empty", f.name)
		}
	}
	t, err := parseTime(at, loc)
	if err != nil {
		return err
	}
	ev.at, ev.day = t.UnixNano(), DateOf(t, loc)
	return nil
}

func parseTime(b []byte, loc *time.Location) (time.Time, error) {
	s := string(b)
	var t time.Time
	var err error
	if len(s) == len(time.DateOnly) {
		t, err = time.ParseInLocation(time.DateOnly, s, loc)
	} else {
		t, err = time.Parse(time.RFC3339, s)
	}
	if err != nil {
		return t, fmt.Errorf("occurred_at %q is not RFC 3339 or YYYY-MM-DD", s)
	}
	if y := t.Year(); y < 1678 || y > 2261 { // UnixNano's range
		return t, fmt.Errorf("occurred_at %q is out of range", s)
	}
	return t, nil
}

const (
	fID = 1 << iota
	fAt
	fPartner
	fClient
	fProduct
	fMRR
	fAll = 1<<iota - 1
)

// scanFlat is the fast path of parseLine. It gives up (ok false) on
// anything unusual: escapes, non-string values, unknown or repeated keys,
// numbers that are not plain non-negative integers.
func scanFlat(b []byte, ev *rawEvent) (at []byte, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	seen := 0
	for {
		i = skipSpace(b, i+1)
		key, j, ok := scanString(b, i)
		if !ok {
			return nil, false
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return nil, false
		}
		i = skipSpace(b, i+1)
		var f int
		var dst *[]byte
		switch string(key) {
		case "id":
			f, dst = fID, &ev.id
		case "occurred_at":
			f, dst = fAt, &at
		case "partner":
			f, dst = fPartner, &ev.partner
		case "client":
			f, dst = fClient, &ev.client
		case "product":
			f, dst = fProduct, &ev.product
		case "mrr":
			f = fMRR
		default:
			return nil, false
		}
		if seen&f != 0 {
			return nil, false
		}
		seen |= f
		if dst != nil {
			if *dst, i, ok = scanString(b, i); !ok {
				return nil, false
			}
		} else if ev.mrr, i, ok = scanInt(b, i); !ok {
			return nil, false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return nil, false
		}
		if b[i] == '}' {
			break
		}
		if b[i] != ',' {
			return nil, false
		}
	}
	return at, seen == fAll && skipSpace(b, i+1) == len(b)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// plain marks the bytes a string may hold on the fast path: not a quote,
// backslash, control or non-ASCII byte.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString reads a JSON string without escapes starting at b[i].
func scanString(b []byte, i int) (s []byte, next int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	j := i + 1
	for j < len(b) && plain[b[j]] {
		j++
	}
	ascii := true
	for j < len(b) && b[j] >= 0x80 { // UTF-8 text, checked below
		ascii = false
		for j < len(b) && (plain[b[j]] || b[j] >= 0x80) {
			j++
		}
	}
	if j >= len(b) || b[j] != '"' {
		return nil, j, false
	}
	s = b[i+1 : j]
	return s, j + 1, ascii || utf8.Valid(s)
}

// scanInt reads a non-negative JSON integer of at most 18 digits, which
// cannot overflow int64.
func scanInt(b []byte, i int) (n int64, next int, ok bool) {
	j := i
	for j < len(b) && b[j] >= '0' && b[j] <= '9' && j-i < 19 {
		n = n*10 + int64(b[j]-'0')
		j++
	}
	switch {
	case j == i, j-i > 18, j-i > 1 && b[i] == '0':
		return 0, j, false
	case j < len(b) && (b[j] == '.' || b[j] == 'e' || b[j] == 'E'):
		return 0, j, false
	}
	return n, j, true
}

// decodeSlow parses a line with encoding/json and says what is wrong.
func decodeSlow(b []byte, ev *rawEvent) (at []byte, err error) {
	var v struct {
		ID         *string         `json:"id"`
		OccurredAt *string         `json:"occurred_at"`
		Partner    *string         `json:"partner"`
		Client     *string         `json:"client"`
		Product    *string         `json:"product"`
		MRR        json.RawMessage `json:"mrr"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			if te.Field == "" {
				return nil, errors.New("not a JSON object")
			}
			return nil, fmt.Errorf("%q must be a string", te.Field)
		}
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	for _, f := range [...]struct {
		name string
		v    *string
		dst  *[]byte
	}{{"id", v.ID, &ev.id}, {"occurred_at", v.OccurredAt, &at}, {"partner", v.Partner, &ev.partner},
		{"client", v.Client, &ev.client}, {"product", v.Product, &ev.product}} {
		if f.v == nil {
			return nil, fmt.Errorf("missing %q", f.name)
		}
		*f.dst = []byte(*f.v)
	}
	if len(v.MRR) == 0 || string(v.MRR) == "null" {
		return nil, errors.New(`missing "mrr"`)
	}
	ev.mrr, err = parseMRR(v.MRR)
	return at, err
}

func parseMRR(raw []byte) (int64, error) {
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return 0, fmt.Errorf("mrr %s must be a number", raw)
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("mrr %s is out of range", raw)
	case err != nil:
		return 0, fmt.Errorf("mrr %s is not an integer", raw)
	case n < 0:
		return 0, fmt.Errorf("mrr %s is negative", raw)
	}
	return n, nil
}
