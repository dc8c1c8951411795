package web

import (
	"fmt"
	"net/http"

	pd "github.com/partnerdesk/partnerdesk"
)

// tierCSV exports a Tier tab list for its period, every page, in its sort:
// total, won, lost, or the credit expiring in the next three months.
func (s *Server) tierCSV(w http.ResponseWriter, r *http.Request) error {
	tq, err := parseTierQuery(r.URL.Query())
	if err != nil {
		return err
	}
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	d, err := s.loadTier(r, prog, tq, true)
	if err != nil {
		return err
	}
	tab, p := d.tab, d.period
	if !tab.Report.Refreshed {
		return pd.Errorf(pd.ENotFound, "There is no tier credit until the first daily refresh.")
	}
	partner, err := s.db.Partner(r.Context())
	if err != nil {
		return err
	}
	cur := prog.Currency
	money := func(v int64) string { return csvMoney(cur, v) }
	name := fmt.Sprintf("tier-%s-%s-%s-to-%s.csv", tq.list, partner.ExternalID, p.From.Format("2006-01"), p.To.Format("2006-01"))

	if tq.list == "month" {
		if tq.month.IsZero() || !d.chart.Contains(tq.month) {
			return pd.Errorf(pd.EInvalid, "Pick a month of the chart.")
		}
		moves := pd.MovementsIn(tq.month, tab.Clients)
		all := make([]*pd.ClientCredit, len(moves))
		for i := range moves {
			all[i] = moves[i].ClientCredit
		}
		if err := s.db.NameCreditClients(r.Context(), all); err != nil {
			return err
		}
		out, err := startCSV(w, fmt.Sprintf("tier-movements-%s-%s.csv", partner.ExternalID, tq.month.Format("2006-01")),
			"client", "account_id", "date", "movement", "change", "currency")
		if err != nil {
			return nil
		}
		for _, mm := range moves {
			for _, m := range mm.Movements {
				if out.Row(csvText(mm.Name), csvText(mm.AccountID), m.Day.String(), m.Kind, money(m.Delta()), cur) != nil {
					return nil
				}
			}
		}
		return out.Close()
	}
	if tq.list == "expiring" {
		var all []*pd.ClientCredit
		months := pd.ExpiringSoon(tab.Report.AsOf, expiringMonths, tab.Expiring)
		for _, m := range months {
			all = append(all, m.Clients...)
		}
		if err := s.db.NameCreditClients(r.Context(), all); err != nil {
			return err
		}
		out, err := startCSV(w, fmt.Sprintf("tier-expiring-%s-%s.csv", partner.ExternalID, tab.Report.AsOf), "client", "account_id", "credit", "expires", "currency")
		if err != nil {
			return nil // the client went away
		}
		for _, c := range all {
			if out.Row(csvText(c.Name), csvText(c.AccountID), money(c.Credit), c.Expires.String(), cur) != nil {
				return nil
			}
		}
		return out.Close()
	}

	lines, header := d.lines, []string{"client", "account_id", "credit", "expires", "currency"}
	switch tq.list {
	case "won":
		header = []string{"client", "account_id", "new", "upgraded", "won", "returning", "currency"}
	case "lost":
		header = []string{"client", "account_id", "expired_lost", "decreased", "lost", "transferred", "currency"}
	}
	if err := s.db.NameCreditClients(r.Context(), linesClients(lines)); err != nil {
		return err
	}
	out, err := startCSV(w, name, header...)
	if err != nil {
		return nil
	}
	for _, l := range lines {
		row := []string{csvText(l.Name), csvText(l.AccountID)}
		switch tq.list {
		case "won":
			row = append(row, money(l.New), money(l.Upgraded), money(l.Won()), fmt.Sprint(l.Returning))
		case "lost":
			row = append(row, money(l.Expired), money(l.Decreased), money(l.Lost()), fmt.Sprint(l.Transferred))
		default:
			expires := ""
			if d.current && l.Credit > 0 {
				expires = l.Expires.String()
			}
			row = append(row, money(l.Closing), expires)
		}
		if out.Row(append(row, cur)...) != nil {
			return nil
		}
	}
	return out.Close()
}
