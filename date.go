package partnerdesk

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Date is a civil date (no time of day, no zone). Both stores keep it as an
// ISO "YYYY-MM-DD" value so that it sorts and compares the same everywhere.
type Date struct{ t time.Time }

// NewDate returns the date y-m-d (normalised like time.Date).
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DateOf returns the civil date of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return NewDate(y, m, d)
}

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

func (d Date) IsZero() bool                { return d.t.IsZero() }
func (d Date) String() string              { return d.t.Format(time.DateOnly) }
func (d Date) Time() time.Time             { return d.t }
func (d Date) AddDays(n int) Date          { return Date{d.t.AddDate(0, 0, n)} }
func (d Date) Before(o Date) bool          { return d.t.Before(o.t) }
func (d Date) After(o Date) bool           { return d.t.After(o.t) }
func (d Date) DaysUntil(o Date) int        { return int(o.t.Sub(d.t).Hours() / 24) }
func (d Date) Format(layout string) string { return d.t.Format(layout) }

// Value stores the date as "YYYY-MM-DD"; a zero date is NULL.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a date from a DATE column of either store.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
	case time.Time:
		y, m, dd := v.Date()
		*d = NewDate(y, m, dd)
	case string:
		return d.scanString(v)
	case []byte:
		return d.scanString(string(v))
	default:
		return fmt.Errorf("scan date: unsupported %T", src)
	}
	return nil
}

func (d *Date) scanString(s string) error {
	if len(s) > 10 {
		s = s[:10]
	}
	v, err := ParseDate(s)
	*d = v
	return err
}

// MarshalText writes "YYYY-MM-DD" (JSON, CSV).
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads "YYYY-MM-DD"; an empty text is the zero date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	*d = v
	return err
}
