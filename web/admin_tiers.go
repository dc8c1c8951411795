package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// The program's Tiers page: the rules in force, their history and the
// changes scheduled, for vendor staff; for program admins, a form that
// previews a change against every partner's figures and schedules it
// (store.SaveTierRules, store.PreviewTierRules).

// ruleSetView is one set of the rules' history.
type ruleSetView struct {
	pd.TierRuleSet
	Changes   []pd.TierChange // from the set before
	InForce   bool            // today's
	Scheduled bool            // not in force yet
}

// tierFormRow is one tier of the rules form, as entered.
type tierFormRow struct {
	Code, Name, Sold, MRR string
	Invite, Entry         bool
}

// tierForm is the rules form, as entered.
type tierForm struct {
	From                  string
	Tiers                 []tierFormRow
	Usage, Grace, Reviews string
}

type tiersView struct {
	Today      pd.Date
	InForce    pd.TierRuleSet
	NextReview pd.Date
	History    []ruleSetView // newest first
	CanEdit    bool
	Form       tierForm
	Notice     string
	Error      string
	// Preview of the form's rules against today's, when asked for.
	Preview      *store.TierPreviewResult
	Proposed     []pd.TierChange // what the proposal changes of today's rules
	Changed      []pd.PreviewLine
	ChangedTotal int
	CSVURL       string
}

// previewShown is how many of the partners that change the preview lists
// (all of them in its CSV).
const previewShown = 100

// amountText writes minor units for a form field: "1125.00".
func amountText(currency string, minor int64) string { return csvMoney(currency, minor) }

// parseAmount reads an amount typed in a form, in major units ("1,125",
// "1125.50", "$1,125.00", or in French "1 125,50 $US"), into minor units.
func parseAmount(currency, s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), currency))
	// Drop the symbol and the digit grouping (spaces, in French).
	s = strings.TrimFunc(s, func(r rune) bool { return !unicode.IsDigit(r) })
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u202f' {
			return -1
		}
		return r
	}, s)
	// A comma is a decimal comma unless three digits end the amount after it.
	if i := strings.LastIndexByte(s, ','); i >= 0 && !strings.Contains(s, ".") && len(s)-i-1 != 3 {
		s = s[:i] + "." + s[i+1:]
	}
	s = strings.ReplaceAll(s, ",", "")
	whole, frac, dot := strings.Cut(s, ".")
	decimals := 2
	if currency == "JPY" {
		decimals = 0
	}
	if whole == "" || len(frac) > decimals || dot && decimals == 0 || strings.Trim(whole+frac, "0123456789") != "" || len(whole) > 13 {
		return 0, false
	}
	frac += strings.Repeat("0", decimals-len(frac))
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	return v, err == nil
}

func tierFormOf(pol pd.TierPolicy, from pd.Date, currency string) tierForm {
	f := tierForm{From: from.String(), Usage: strconv.Itoa(pol.MinAppUsage), Grace: strconv.Itoa(pol.GraceReviews),
		Reviews: pol.ReviewDatesText()}
	for i, t := range pol.Tiers {
		f.Tiers = append(f.Tiers, tierFormRow{Code: t.Code, Name: t.Name, Sold: amountText(currency, t.SoldCreditMin),
			MRR: amountText(currency, t.ManagedMRRMin), Invite: t.InvitationOnly, Entry: i == 0})
	}
	return f
}

// readTierForm reads the rules form (a POST's, or the CSV link's query)
// for the catalogue's tiers, keeping what was entered; a mistake is an
// invalid error naming every field at fault.
func readTierForm(v url.Values, catalogue pd.TierPolicy, currency string) (tierForm, pd.TierPolicy, pd.Date, error) {
	f := tierForm{From: strings.TrimSpace(v.Get("from")), Usage: strings.TrimSpace(v.Get("usage")),
		Grace: strings.TrimSpace(v.Get("grace")), Reviews: strings.TrimSpace(v.Get("reviews"))}
	var pol pd.TierPolicy
	var bad formErrors
	for i, t := range catalogue.Tiers {
		row := tierFormRow{Code: t.Code, Name: v.Get("name_" + t.Code), Entry: i == 0}
		tr := pd.Tier{Code: t.Code, Name: row.Name, Rank: t.Rank}
		if !row.Entry {
			row.Sold, row.MRR, row.Invite = v.Get("sold_"+t.Code), v.Get("mrr_"+t.Code), v.Get("invite_"+t.Code) == "1"
			tr.InvitationOnly = row.Invite
			var ok bool
			if tr.SoldCreditMin, ok = parseAmount(currency, row.Sold); !ok {
				bad = append(bad, pd.Errorf(pd.EInvalid, "%s's sold credit %q is not an amount.", t.Name, row.Sold))
			}
			if tr.ManagedMRRMin, ok = parseAmount(currency, row.MRR); !ok {
				bad = append(bad, pd.Errorf(pd.EInvalid, "%s's managed MRR %q is not an amount.", t.Name, row.MRR))
			}
		}
		f.Tiers = append(f.Tiers, row)
		pol.Tiers = append(pol.Tiers, tr)
	}
	var err error
	if pol.MinAppUsage, err = strconv.Atoi(f.Usage); err != nil {
		bad = append(bad, pd.Errorf(pd.EInvalid, "The minimum average app usage is a whole number of tools."))
	}
	if pol.GraceReviews, err = strconv.Atoi(f.Grace); err != nil {
		bad = append(bad, pd.Errorf(pd.EInvalid, "The reviews of grace are a whole number."))
	}
	if pol.ReviewDates, err = pd.ParseReviewDates(f.Reviews); err != nil {
		var e *pd.Error
		if !errors.As(err, &e) {
			return f, pol, pd.Date{}, err
		}
		bad = append(bad, e)
	}
	from, err := pd.ParseDate(f.From)
	if err != nil {
		bad = append(bad, pd.Errorf(pd.EInvalid, "Choose the date the change takes effect (YYYY-MM-DD)."))
	}
	if len(bad) > 0 {
		return f, pol, from, bad
	}
	return f, pol, from, nil
}

// query is the form as the preview CSV link's query string.
func (f tierForm) query() string {
	v := url.Values{"from": {f.From}, "usage": {f.Usage}, "grace": {f.Grace}, "reviews": {f.Reviews}}
	for _, t := range f.Tiers {
		v.Set("name_"+t.Code, t.Name)
		if !t.Entry {
			v.Set("sold_"+t.Code, t.Sold)
			v.Set("mrr_"+t.Code, t.MRR)
			if t.Invite {
				v.Set("invite_"+t.Code, "1")
			}
		}
	}
	return v.Encode()
}

// tiersView reads the rules and lays out the page around form (nil: the
// rules of the next review, the default date of a change).
func (s *Server) tiersView(r *http.Request, prog pd.Program, form *tierForm) (*tiersView, error) {
	rules, err := s.db.TierSettings(r.Context(), false)
	if err != nil {
		return nil, err
	}
	today := pd.DateOf(s.now(), prog.Location())
	p := pd.PrincipalFrom(r.Context())
	tv := &tiersView{Today: today, InForce: rules.Set(today), NextReview: rules.NextReview(today), CanEdit: p.Role == pd.RoleProgramAdmin}
	sets := append([]pd.TierRuleSet{{Policy: rules.Base}}, rules.Changes...)
	for i, set := range sets {
		rv := ruleSetView{TierRuleSet: set, InForce: set.From == tv.InForce.From, Scheduled: set.From.After(today)}
		if i > 0 {
			rv.Changes = sets[i-1].Policy.Changes(set.Policy)
		}
		tv.History = append([]ruleSetView{rv}, tv.History...)
	}
	if form != nil {
		tv.Form = *form
	} else {
		from := rules.NextReview(today)
		tv.Form = tierFormOf(rules.On(from), from, prog.Currency)
	}
	return tv, nil
}

func (s *Server) tiersPage(w http.ResponseWriter, r *http.Request) error {
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	tv, err := s.tiersView(r, prog, nil)
	if err != nil {
		return err
	}
	if n := r.URL.Query().Get("notice"); n == "saved" || n == "cancelled" {
		tv.Notice = n
	}
	return s.renderAdmin(w, r, 0, "tiers", "admin_tiers", tv)
}

// previewTiers shows the page with the form's rules previewed against
// every partner's figures.
func (s *Server) previewTiers(w http.ResponseWriter, r *http.Request) error {
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	rules, err := s.db.TierSettings(r.Context(), true)
	if err != nil {
		return err
	}
	form, pol, _, ferr := readTierForm(r.PostForm, rules.Base, prog.Currency)
	tv, err := s.tiersView(r, prog, &form)
	if err != nil {
		return err
	}
	if ferr == nil {
		tv.Preview, ferr = s.db.PreviewTierRules(r.Context(), pol)
	}
	if ferr != nil {
		if pd.ErrorCode(ferr) != pd.EInvalid {
			return ferr
		}
		tv.Error = s.errorText(r, ferr)
		return s.renderAdmin(w, r, http.StatusBadRequest, "tiers", "admin_tiers", tv)
	}
	if tv.Preview.Refreshed {
		tv.Proposed = tv.Preview.Current.Changes(pol)
		changed := tv.Preview.Changed()
		tv.ChangedTotal = len(changed)
		tv.Changed = changed[:min(len(changed), previewShown)]
	}
	tv.CSVURL = "/admin/tiers/preview.csv?" + form.query()
	return s.renderAdmin(w, r, 0, "tiers", "admin_tiers", tv)
}

// tiersPreviewCSV exports the preview of the rules in the query: every
// partner, its tier under the rules in force and under the proposed ones.
func (s *Server) tiersPreviewCSV(w http.ResponseWriter, r *http.Request) error {
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	rules, err := s.db.TierSettings(r.Context(), true)
	if err != nil {
		return err
	}
	_, pol, _, err := readTierForm(r.URL.Query(), rules.Base, prog.Currency)
	if err != nil {
		return err
	}
	res, err := s.db.PreviewTierRules(r.Context(), pol)
	if err != nil {
		return err
	}
	if !res.Refreshed {
		return pd.Errorf(pd.ENotFound, "There are no figures to preview until the first daily refresh.")
	}
	cur := prog.Currency
	out, err := startCSV(w, fmt.Sprintf("tier-preview-%s.csv", res.AsOf), "partner", "name", "assigned_tier", "tier_today", "tier_proposed",
		"change", "sold_credit", "managed_mrr", "app_usage", "certified", "invited", "currency", "figures_as_of")
	if err != nil {
		return err
	}
	moves := map[int]string{1: "promoted", -1: "demoted", 0: "unchanged"}
	for _, l := range res.Lines {
		if err := out.Row(csvText(l.ExternalID), csvText(l.Name), l.Assigned, l.Today.Code, l.Proposed.Code, moves[l.Move()],
			csvMoney(cur, l.SoldCredit), csvMoney(cur, l.ManagedMRR), strconv.FormatFloat(l.AppUsage(), 'f', 1, 64),
			strconv.FormatBool(l.Certified), strconv.FormatBool(l.Invited), cur, res.AsOf.String()); err != nil {
			return err
		}
	}
	return out.Close()
}

// saveTiers schedules the form's rules from its date.
func (s *Server) saveTiers(w http.ResponseWriter, r *http.Request) error {
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return err
	}
	rules, err := s.db.TierSettings(r.Context(), true)
	if err != nil {
		return err
	}
	form, pol, from, err := readTierForm(r.PostForm, rules.Base, prog.Currency)
	if err == nil {
		err = s.db.SaveTierRules(r.Context(), from, pol)
	}
	if err != nil {
		if pd.ErrorCode(err) != pd.EInvalid {
			return err
		}
		tv, verr := s.tiersView(r, prog, &form)
		if verr != nil {
			return verr
		}
		tv.Error = s.errorText(r, err)
		return s.renderAdmin(w, r, http.StatusBadRequest, "tiers", "admin_tiers", tv)
	}
	http.Redirect(w, r, "/admin/tiers?notice=saved", http.StatusSeeOther)
	return nil
}

// cancelTiers cancels a scheduled change.
func (s *Server) cancelTiers(w http.ResponseWriter, r *http.Request) error {
	from, err := pd.ParseDate(r.PostFormValue("from"))
	if err != nil {
		return pd.Errorf(pd.EInvalid, "Which change? Its date is YYYY-MM-DD.")
	}
	if err := s.db.CancelTierRules(r.Context(), from); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/tiers?notice=cancelled", http.StatusSeeOther)
	return nil
}
