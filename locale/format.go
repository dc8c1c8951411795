package locale

import (
	"strconv"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// Format is how a language writes numbers, money and dates. Patterns
// name their parts in braces: {n} the number, {s} the currency's symbol,
// {c} its code, {u} a compact unit; {d} the day, {b} the short month,
// {B} the month, {Y} the year, {date} a date, {time} hours and minutes.
type Format struct {
	Decimal      string            `json:"decimal"`
	Group        string            `json:"group"`
	Minus        string            `json:"minus"`
	Money        string            `json:"money"`         // with a symbol: "{s}{n}"
	MoneyCode    string            `json:"money_code"`    // a currency without a symbol: "{n} {c}"
	Symbols      map[string]string `json:"symbols"`       // by ISO 4217 code
	Compact      string            `json:"compact"`       // a chart axis's amount: "{s}{n}{u}"
	CompactUnits []string          `json:"compact_units"` // thousands, millions, billions
	Narrow       map[string]string `json:"narrow"`        // symbols in compact amounts
	Date         string            `json:"date"`
	MonthYear    string            `json:"month_year"`
	ShortMonth   string            `json:"short_month_year"`
	MonthDay     string            `json:"month_day"`
	Time         string            `json:"time"`
	Months       []string          `json:"months"`
	ShortMonths  []string          `json:"short_months"`
}

// zeroDecimals are the currencies whose amounts have no minor unit.
var zeroDecimals = map[string]bool{"JPY": true, "KRW": true}

func fill(pattern string, kv ...string) string {
	return strings.NewReplacer(kv...).Replace(pattern)
}

// Number writes a whole number with the language's digit grouping.
func (l *Locale) Number(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := l.group(strconv.FormatInt(n, 10))
	if neg {
		s = l.format.Minus + s
	}
	return s
}

func (l *Locale) group(s string) string {
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + l.format.Group + s[i:]
	}
	return s
}

// Money writes an amount of minor units exactly, in the program's
// currency: "$1,234.56" in English, "1 234,56 $US" in French.
func (l *Locale) Money(currency string, minor int64) string {
	neg := minor < 0
	if neg {
		minor = -minor
	}
	var n string
	if zeroDecimals[currency] {
		n = l.group(strconv.FormatInt(minor, 10))
	} else {
		n = l.group(strconv.FormatInt(minor/100, 10)) + l.format.Decimal + strconv.FormatInt(100+minor%100, 10)[1:]
	}
	return l.withMinus(neg, l.currency(l.format.Money, l.format.Symbols, currency, n, ""))
}

func (l *Locale) currency(pattern string, symbols map[string]string, code, n, unit string) string {
	if s, ok := symbols[code]; ok {
		return fill(pattern, "{s}", s, "{n}", n, "{u}", unit)
	}
	return fill(l.format.MoneyCode, "{c}", code, "{n}", n+unit)
}

func (l *Locale) withMinus(neg bool, s string) string {
	if neg {
		return l.format.Minus + s
	}
	return s
}

// CompactMoney writes a round amount of minor units short, for a chart's
// axis: "$1M", "$250K" in English, "1 M$", "250 k$" in French.
func (l *Locale) CompactMoney(currency string, minor int64) string {
	neg := minor < 0
	if neg {
		minor = -minor
	}
	major := minor
	if !zeroDecimals[currency] {
		major = minor / 100
	}
	unit, scale := "", int64(1)
	for _, u := range l.format.CompactUnits {
		if major < 1000*scale {
			break
		}
		unit, scale = u, scale*1000
	}
	// One decimal at most: an axis's amounts are round.
	n := strconv.FormatInt(major/scale, 10)
	if tenth := major % scale * 10 / scale; tenth != 0 {
		n += l.format.Decimal + strconv.FormatInt(tenth, 10)
	} else {
		n = l.group(n)
	}
	return l.withMinus(neg, l.currency(l.format.Compact, l.format.Narrow, currency, n, unit))
}

func (l *Locale) date(pattern string, y int, m time.Month, d int) string {
	return fill(pattern, "{d}", strconv.Itoa(d), "{b}", l.format.ShortMonths[m-1], "{B}", l.format.Months[m-1],
		"{Y}", strconv.Itoa(y))
}

// Date writes a day: "Dec 1, 2026" in English, "1 déc. 2026" in French.
func (l *Locale) Date(d pd.Date) string {
	if d.IsZero() {
		return ""
	}
	t := d.Time()
	return l.date(l.format.Date, t.Year(), t.Month(), t.Day())
}

// MonthYear writes a month: "December 2026", "décembre 2026".
func (l *Locale) MonthYear(d pd.Date) string {
	return l.date(l.format.MonthYear, d.Time().Year(), d.Time().Month(), 1)
}

// ShortMonthYear writes a month short, for a chart: "Dec 2026", "déc. 2026".
func (l *Locale) ShortMonthYear(d pd.Date) string {
	return l.date(l.format.ShortMonth, d.Time().Year(), d.Time().Month(), 1)
}

// MonthAbbr is a month's short name alone, for a chart's axis: "Jan", "janv.".
func (l *Locale) MonthAbbr(d pd.Date) string { return l.format.ShortMonths[d.Time().Month()-1] }

// MonthDay writes a day of any year: "Jan 15", "15 janv.".
func (l *Locale) MonthDay(md pd.MonthDay) string {
	return l.date(l.format.MonthDay, 0, md.Month, md.Day)
}

// Time writes an instant in UTC: "Dec 1, 2026 07:39 UTC".
func (l *Locale) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	return fill(l.format.Time, "{date}", l.date(l.format.Date, t.Year(), t.Month(), t.Day()), "{time}", t.Format("15:04"))
}
