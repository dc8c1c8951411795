package web

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	pd "github.com/partnerdesk/partnerdesk"
)

// csvWriter streams a CSV download: the header row first, then rows as
// the handler produces them, flushed every so often, so that a long export
// neither waits nor holds everything in memory. Any table can be exported
// with it (the Clients table here; the Tier tab's Total, Won and Lost
// lists the same way).
type csvWriter struct {
	w     *csv.Writer
	flush http.Flusher
	rows  int
}

// startCSV sends the headers of a CSV download named filename and its
// header row.
func startCSV(w http.ResponseWriter, filename string, header ...string) (*csvWriter, error) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
	c := &csvWriter{w: csv.NewWriter(w)}
	c.flush, _ = w.(http.Flusher)
	return c, c.w.Write(header)
}

// Row writes one row; text cells should go through csvText.
func (c *csvWriter) Row(cells ...string) error {
	if err := c.w.Write(cells); err != nil {
		return err
	}
	if c.rows++; c.rows%500 == 0 {
		c.w.Flush()
		if c.flush != nil {
			c.flush.Flush()
		}
	}
	return c.w.Error()
}

// Close flushes what is left.
func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

// csvText neutralises a text cell that a spreadsheet would take for a
// formula (=, +, -, @ first, or after spaces and control characters,
// which spreadsheets skip), so that an exported name cannot run one.
func csvText(s string) string {
	lead := strings.TrimLeftFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
	if (lead != "" && strings.ContainsRune("=+-@", rune(lead[0]))) || (s != "" && strings.ContainsRune("\t\r", rune(s[0]))) {
		return "'" + s
	}
	return s
}

// csvMoney writes minor units as a plain decimal amount ("1234.56"), which
// spreadsheets read as a number; the currency is its own column.
func csvMoney(currency string, minor int64) string {
	if currency == "JPY" {
		return strconv.FormatInt(minor, 10)
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d", sign, minor/100, minor%100)
}

// clientsCSVURL is the export link of a Clients table: its filters and
// sort, every page.
func clientsCSVURL(partnerID int64, u *url.URL) template.URL {
	return exportURL(fmt.Sprintf("/partners/%d/clients.csv", partnerID), u)
}

// exportURL is a list's CSV export at path, with the list's query (its
// filters and sort) but not its paging, tab or notice: the export holds
// every row.
func exportURL(path string, u *url.URL) template.URL {
	q := u.Query()
	for _, k := range []string{"page", "size", "tab", "notice"} {
		q.Del(k)
	}
	return template.URL(withQuery(path, q)) // a path on this site with an encoded query
}

// clientsCSV exports the Clients table with its current filters and sort,
// every page of it.
func (s *Server) clientsCSV(w http.ResponseWriter, r *http.Request) error {
	f, _, err := parseClientFilter(r.URL.Query())
	if err != nil {
		return err
	}
	partner, err := s.db.Partner(r.Context())
	if err != nil {
		return err
	}
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	f.Offset, f.Limit = 0, 500
	page, err := s.db.ListClients(r.Context(), f)
	if err != nil {
		return err
	}
	out, err := startCSV(w, fmt.Sprintf("clients-%s-%s.csv", partner.ExternalID, pd.DateOf(s.now(), prog.Location())),
		"client", "account_id", "domain", "products", "relationship", "engagement", "usage", "mrr", "currency")
	if err != nil {
		return nil // the client went away
	}
	for {
		for _, c := range page.Clients {
			var products []string
			for _, p := range c.Products() {
				products = append(products, p.Name())
			}
			if err := out.Row(csvText(c.Name), csvText(c.AccountID), csvText(c.Domain), strings.Join(products, "; "),
				string(c.Relationship), strconv.Itoa(c.Engagement), c.Bucket(), csvMoney(prog.Currency, c.MRR), prog.Currency); err != nil {
				return nil
			}
		}
		f.Offset += f.Limit
		if f.Offset >= page.Total {
			break
		}
		if page, err = s.db.ListClients(r.Context(), f); err != nil {
			// The headers are sent: end the file short and log why.
			s.logError(r, "export clients", err)
			return nil
		}
	}
	return out.Close()
}
