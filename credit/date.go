package credit

import (
	"fmt"
	"time"
)

// Date is a civil date in the program time zone, counted in days since
// 1970-01-01. The ledger compares, stores and hashes millions of them, so
// it is a plain integer rather than a time.Time.
type Date int32

// MakeDate returns the date y-m-d, normalised like time.Date.
func MakeDate(y int, m time.Month, d int) Date {
	yy, mm := int64(y)+floorDiv(int64(m)-1, 12), int64(m)-1
	mm -= floorDiv(mm, 12) * 12
	return Date(daysFromCivil(yy, mm+1) + int64(d) - 1)
}

// DateOf returns the civil date of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	if loc == nil {
		loc = time.UTC
	}
	_, off := t.In(loc).Zone()
	return Date(floorDiv(t.Unix()+int64(off), 86400))
}

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return DateOf(t, time.UTC), nil
}

// Civil returns the year, month and day of d.
func (d Date) Civil() (int, time.Month, int) {
	y, m, dd := civilFromDays(int64(d))
	return int(y), time.Month(m), int(dd)
}

// Start returns the instant d begins in loc.
func (d Date) Start(loc *time.Location) time.Time {
	y, m, dd := d.Civil()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

// Month returns the month d falls in.
func (d Date) Month() Month {
	y, m, _ := d.Civil()
	return MakeMonth(y, m)
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return d + Date(n) }

// AddMonths returns the same day of the month n months later, clamped to
// the end of a shorter month: rule 4 of docs/credit.md says 2024-02-29
// plus 12 months is 2025-02-28, where time.AddDate would give 2025-03-01.
func (d Date) AddMonths(n int) Date {
	y, m, dd := d.Civil()
	target := MakeMonth(y, m) + Month(n)
	if last := target.Days(); dd > last {
		dd = last
	}
	ty, tm := target.Civil()
	return MakeDate(ty, tm, dd)
}

func (d Date) String() string { return d.utc().Format(time.DateOnly) }

// MarshalText writes "YYYY-MM-DD", so dates read well in JSON.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d Date) utc() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// Month is a calendar month, counted as year*12 + month-1 so that months
// are consecutive integers.
type Month int32

// MakeMonth returns month m of year y (m may overflow, like time.Date).
func MakeMonth(y int, m time.Month) Month { return Month(y*12 + int(m) - 1) }

// ParseMonth parses "YYYY-MM".
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return 0, fmt.Errorf("month %q is not YYYY-MM", s)
	}
	return MakeMonth(t.Year(), t.Month()), nil
}

// Civil returns the year and month of m.
func (m Month) Civil() (int, time.Month) {
	y := floorDiv(int64(m), 12)
	return int(y), time.Month(int64(m)-y*12) + 1
}

// First returns the first day of m.
func (m Month) First() Date {
	y, mm := m.Civil()
	return MakeDate(y, mm, 1)
}

// Last returns the last day of m.
func (m Month) Last() Date { return (m + 1).First() - 1 }

// Days returns the number of days in m.
func (m Month) Days() int { return int((m + 1).First() - m.First()) }

func (m Month) String() string {
	y, mm := m.Civil()
	return fmt.Sprintf("%04d-%02d", y, int(mm))
}

// MarshalText writes "YYYY-MM".
func (m Month) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// daysFromCivil and civilFromDays are Howard Hinnant's algorithms
// (https://howardhinnant.github.io/date_algorithms.html): the ledger turns
// dates into months and adds months millions of times, and time.Date
// costs several times more. daysFromCivil gives the first of the month.
func daysFromCivil(y, m int64) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	doy := (153*((m+9)%12) + 2) / 5
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
