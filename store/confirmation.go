package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	pd "github.com/partnerdesk/partnerdesk"
)

// Confirmation links (pd.ConfirmationLink): created by a partner user,
// answered once by the client on a public page that knows the link only
// by its token, whose SHA-256 is all the table keeps.

// ConfirmationLimits bound the public page's requests, counted in
// sign_in_counters under scopes of their own, so that every server on the
// database shares them.
type ConfirmationLimits struct {
	Address SignInLimit // requests from one address (an IPv6 /64), any token
	Token   SignInLimit // requests for one token, from any address
}

// DefaultConfirmationLimits are the limits the server applies: enough for
// a client who reloads the page, far too few to guess a 256-bit token.
var DefaultConfirmationLimits = ConfirmationLimits{
	Address: SignInLimit{Max: 30, Window: 15 * time.Minute},
	Token:   SignInLimit{Max: 20, Window: 15 * time.Minute},
}

const (
	scopeConfirmAddress = "confirm_address"
	scopeConfirmToken   = "confirm_token"
)

// errConfirmationGone is every reason a token opens nothing: unknown, expired,
// answered, cancelled. The public page answers them all alike.
var errConfirmationGone = pd.Errorf(pd.ENotFound, "This confirmation link is not valid.")

// linkStatusSQL is a link's status as of ? (now) and ? (today): expiry
// and the end of the credit window are read from the dates.
const linkStatusSQL = `CASE WHEN l.status = 'pending' AND l.expires_at <= ? THEN 'expired'
	WHEN l.status = 'confirmed' AND l.credit_to < ? THEN 'used' ELSE l.status END`

// maxLinkProducts bounds a link's products: the catalogue is smaller.
const maxLinkProducts = 50

// checkNewLink validates what a partner user filled in.
func checkNewLink(nl *pd.NewConfirmationLink, prog pd.Program) error {
	nl.ProspectName, nl.ProspectDomain = strings.TrimSpace(nl.ProspectName), strings.ToLower(strings.TrimSpace(nl.ProspectDomain))
	nl.Services = strings.TrimSpace(nl.Services)
	switch {
	case nl.ClientID == 0 && (nl.ProspectName == "" || nl.ProspectDomain == ""):
		return pd.Errorf(pd.EInvalid, "Choose one of your clients, or name the prospect by its company name and domain.")
	case nl.ClientID != 0 && (nl.ProspectName != "" || nl.ProspectDomain != ""):
		return pd.Errorf(pd.EInvalid, "A link is for a client or for a prospect, not both.")
	case utf8.RuneCountInString(nl.ProspectName) > pd.MaxIDLen || !validDomain(nl.ProspectDomain):
		return pd.Errorf(pd.EInvalid, "A prospect's name has at most %d characters and its domain is a host name such as example.com.", pd.MaxIDLen)
	case len(nl.Products) == 0 || len(nl.Products) > maxLinkProducts:
		return pd.Errorf(pd.EInvalid, "A link lists at least one product of the catalogue.")
	case utf8.RuneCountInString(nl.Services) > pd.MaxTextLen:
		return pd.Errorf(pd.EInvalid, "The onboarding and services text has at most %d characters.", pd.MaxTextLen)
	case nl.ExpectedMRR < 0 || nl.ExpectedMRR > 1e12:
		return pd.Errorf(pd.EInvalid, "The expected MRR is a positive amount.")
	case nl.ExpiryDays < 0 || nl.ExpiryDays > 365:
		return pd.Errorf(pd.EInvalid, "A link expires after 1 to 365 days.")
	case !utf8.ValidString(nl.ProspectName + nl.Services):
		return pd.Errorf(pd.EInvalid, "Text must be UTF-8.")
	}
	if nl.ExpiryDays == 0 {
		nl.ExpiryDays = prog.ConfirmationExpiryDays
	}
	seen := map[string]bool{}
	for _, p := range nl.Products {
		if _, ok := pd.ProductByCode(p.Code); !ok || seen[p.Code] {
			return pd.Errorf(pd.EInvalid, "Unknown or repeated product %q: list each product of the catalogue once.", p.Code)
		}
		if p.Quantity < 1 || p.Quantity > pd.MaxCount {
			return pd.Errorf(pd.EInvalid, "The quantity of %s is a whole number from 1.", p.Code)
		}
		seen[p.Code] = true
	}
	return nil
}

// validDomain reports whether d ("" included, checked elsewhere) looks
// like a host name.
func validDomain(d string) bool {
	if len(d) > pd.MaxIDLen {
		return false
	}
	for _, r := range d {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return d == "" || strings.Contains(d, ".") && !strings.HasPrefix(d, ".") && !strings.HasSuffix(d, ".")
}

// CreateConfirmationLink creates a link for the scoped partner and returns
// it with its token, which is not stored and cannot be shown again. A
// partner admin may create one for any of the partner's clients; an
// employee for the clients assigned to them. Either may name a prospect.
// A link with a recipient (nl.ContactID or nl.EmailTo) has its email,
// rendered by m, queued in the same transaction: the token exists only
// now, so the email cannot be sent later.
func (db *DB) CreateConfirmationLink(ctx context.Context, m pd.Mailer, nl pd.NewConfirmationLink) (*pd.ConfirmationLink, string, error) {
	tok := randomToken()
	var created []pd.ConfirmationLink
	err := db.update(ctx, func(t *tx) error {
		partnerID, err := linkPartner(ctx, t)
		if err != nil {
			return err
		}
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		if nl.ClientAccountID != "" {
			err := t.queryRow(ctx, `SELECT c.id FROM clients c JOIN client_partners cp ON cp.client_id = c.id
				WHERE c.account_id = ? AND cp.partner_id = ? AND cp.ended_on IS NULL`, nl.ClientAccountID, partnerID).Scan(&nl.ClientID)
			if err == sql.ErrNoRows {
				return pd.Errorf(pd.ENotFound, "Client not found.")
			} else if err != nil {
				return fmt.Errorf("find client %q: %w", nl.ClientAccountID, err)
			}
		}
		if err := checkNewLink(&nl, prog); err != nil {
			return err
		}
		var clientID sql.NullInt64
		subject := nl.ProspectName + " (" + nl.ProspectDomain + ")"
		if nl.ClientID != 0 {
			c, err := scopedClient(ctx, t, partnerID, nl.ClientID, prog)
			if err != nil {
				return err
			}
			if p := pd.PrincipalFrom(ctx); p.Role == pd.RolePartnerEmployee && !c.AssignedToMe {
				return pd.Errorf(pd.EForbidden, "Only your partner admin can create a link for a client not assigned to you.")
			}
			clientID, subject = sql.NullInt64{Int64: c.ID, Valid: true}, c.Name
		}
		to, err := linkRecipient(ctx, t, clientID.Int64, nl)
		if err != nil {
			return err
		}
		userID, _ := actor(ctx)
		id, err := t.insert(ctx, `INSERT INTO confirmation_links (partner_id, client_id, prospect_name, prospect_domain, services,
				expected_mrr, token_hash, status, created_by, created_at, expires_at, emailed_to, emailed_name)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)`,
			partnerID, clientID, nl.ProspectName, nl.ProspectDomain, nl.Services, nl.ExpectedMRR, hashToken(tok),
			userID, t.now, t.now.Add(time.Duration(nl.ExpiryDays)*24*time.Hour), to.Email, to.Name)
		if err != nil {
			return fmt.Errorf("create confirmation link: %w", err)
		}
		for _, p := range nl.Products {
			if _, err := t.exec(ctx, `INSERT INTO confirmation_link_products (link_id, product_code, quantity) VALUES (?, ?, ?)`,
				id, p.Code, p.Quantity); err != nil {
				return fmt.Errorf("create confirmation link: %w", err)
			}
		}
		if err := audit(ctx, t, partnerID, "confirmation_link_created", "confirmation_link", fmt.Sprint(id), subject); err != nil {
			return err
		}
		if created, err = links(ctx, t, "l.partner_id = ? AND l.id = ?", partnerID, "", id); err != nil || to.Email == "" {
			return err
		}
		return emailLink(ctx, t, m, created[0], prog, tok)
	})
	if err != nil {
		return nil, "", err
	}
	return &created[0], tok, nil
}

// linkPartner is the partner a new link belongs to: a partner user's; a
// partner token's, which no other write may take; or, for an ingest token
// (the vendor's systems, program-wide writers), the partner the API path
// names.
func linkPartner(ctx context.Context, t *tx) (int64, error) {
	p := pd.PrincipalFrom(ctx)
	if p != nil && p.TokenID != 0 && p.Scope == pd.ScopePartner {
		// The path named this partner: the web checked it, as it does for
		// a read token.
		if p.PartnerID == 0 || pd.ViewedPartnerFrom(ctx) != p.PartnerID {
			return 0, pd.Errorf(pd.ENotFound, "Partner not found.")
		}
		return p.PartnerID, nil
	}
	if p == nil || p.TokenID == 0 || p.Scope != pd.ScopeIngest {
		return partnerScope(ctx, t, true)
	}
	id := pd.ViewedPartnerFrom(ctx)
	var n int
	if err := t.queryRow(ctx, "SELECT COUNT(*) FROM partners WHERE id = ?", id).Scan(&n); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, pd.Errorf(pd.ENotFound, "Partner not found.")
	}
	return id, nil
}

// ConfirmationLinkFilter chooses the links a list shows.
type ConfirmationLinkFilter struct {
	Status pd.LinkStatus // "" for all
}

// ConfirmationLinks lists the scoped partner's links, newest first.
// Vendor staff see those of the partners they may view.
func (db *DB) ConfirmationLinks(ctx context.Context, f ConfirmationLinkFilter) ([]pd.ConfirmationLink, error) {
	if f.Status != "" && !f.Status.Valid() {
		return nil, pd.Errorf(pd.EInvalid, "Unknown status %q.", f.Status)
	}
	var out []pd.ConfirmationLink
	err := db.view(ctx, func(t *tx) error {
		partnerID, err := partnerScope(ctx, t, false)
		if err != nil {
			return err
		}
		out, err = links(ctx, t, "l.partner_id = ?", partnerID, f.Status)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list confirmation links: %w", err)
	}
	return out, nil
}

// ConfirmationLink returns one of the scoped partner's links.
func (db *DB) ConfirmationLink(ctx context.Context, id int64) (*pd.ConfirmationLink, error) {
	var out []pd.ConfirmationLink
	err := db.view(ctx, func(t *tx) error {
		partnerID, err := partnerScope(ctx, t, false)
		if err != nil {
			return err
		}
		out, err = links(ctx, t, "l.partner_id = ? AND l.id = ?", partnerID, "", id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read confirmation link %d: %w", id, err)
	}
	if len(out) == 0 {
		return nil, pd.Errorf(pd.ENotFound, "Confirmation link not found.")
	}
	return &out[0], nil
}

// links reads the links matching where (its first argument the partner),
// with their products, in two queries.
func links(ctx context.Context, t *tx, where string, partnerID int64, status pd.LinkStatus, more ...any) ([]pd.ConfirmationLink, error) {
	prog, err := program(ctx, t)
	if err != nil {
		return nil, err
	}
	today := today(t, prog)
	args := append([]any{t.now, today, partnerID}, more...)
	q := `SELECT l.id, l.partner_id, p.name, COALESCE(l.client_id, 0), COALESCE(c.account_id, ''), COALESCE(c.name, l.prospect_name), l.prospect_domain,
			l.services, l.expected_mrr, ` + linkStatusSQL + ` AS status, COALESCE(u.name, ''), l.created_at, l.expires_at, l.answered_at,
			l.reason, l.credit_from, l.credit_to, l.emailed_to, l.emailed_name
		FROM confirmation_links l JOIN partners p ON p.id = l.partner_id
		LEFT JOIN clients c ON c.id = l.client_id LEFT JOIN users u ON u.id = l.created_by
		WHERE ` + where
	if status != "" {
		q = "SELECT * FROM (" + q + ") s WHERE s.status = ?"
		args = append(args, string(status))
	}
	rows, err := t.query(ctx, q+" ORDER BY 12 DESC, 1 DESC", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pd.ConfirmationLink
	index := map[int64]int{}
	for rows.Next() {
		var l pd.ConfirmationLink
		var status string
		var answered sql.NullTime
		var from, to sql.Null[pd.Date]
		if err := rows.Scan(&l.ID, &l.PartnerID, &l.PartnerName, &l.ClientID, &l.ClientAccountID, &l.ClientName, &l.ProspectDomain, &l.Services,
			&l.ExpectedMRR, &status, &l.CreatedBy, &l.CreatedAt, &l.ExpiresAt, &answered, &l.Reason, &from, &to,
			&l.EmailedTo, &l.EmailedName); err != nil {
			return nil, err
		}
		l.Status, l.CreditFrom, l.CreditTo = pd.LinkStatus(status), from.V, to.V
		l.CreatedAt, l.ExpiresAt = l.CreatedAt.UTC(), l.ExpiresAt.UTC()
		if answered.Valid {
			at := answered.Time.UTC()
			l.AnsweredAt = &at
		}
		index[l.ID] = len(out)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	prows, err := t.query(ctx, `SELECT lp.link_id, lp.product_code, lp.quantity FROM confirmation_link_products lp
		JOIN confirmation_links l ON l.id = lp.link_id WHERE `+where+` ORDER BY lp.link_id, lp.product_code`,
		append([]any{partnerID}, more...)...)
	if err != nil {
		return nil, err
	}
	defer prows.Close()
	for prows.Next() {
		var id int64
		var p pd.LinkProduct
		if err := prows.Scan(&id, &p.Code, &p.Quantity); err != nil {
			return nil, err
		}
		if i, ok := index[id]; ok {
			out[i].Products = append(out[i].Products, p)
		}
	}
	return out, prows.Err()
}

// CancelConfirmationLink withdraws one of the scoped partner's pending
// links: its token opens nothing any more. Only the user who may create
// it (the partner admin, or the employee assigned to its client) may.
func (db *DB) CancelConfirmationLink(ctx context.Context, id int64) error {
	return db.update(ctx, func(t *tx) error {
		partnerID, err := partnerScope(ctx, t, true)
		if err != nil {
			return err
		}
		var clientID sql.NullInt64
		var createdBy sql.NullInt64
		err = t.queryRow(ctx, `SELECT client_id, created_by FROM confirmation_links WHERE id = ? AND partner_id = ?`, id, partnerID).
			Scan(&clientID, &createdBy)
		if err == sql.ErrNoRows {
			return pd.Errorf(pd.ENotFound, "Confirmation link not found.")
		} else if err != nil {
			return fmt.Errorf("cancel confirmation link %d: %w", id, err)
		}
		if p := pd.PrincipalFrom(ctx); p.Role == pd.RolePartnerEmployee && createdBy.Int64 != p.UserID {
			var n int
			if err := t.queryRow(ctx, `SELECT COUNT(*) FROM client_assignments WHERE client_id = ? AND user_id = ?`,
				clientID.Int64, p.UserID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return pd.Errorf(pd.EForbidden, "Only your partner admin or the link's author can cancel it.")
			}
		}
		res, err := t.exec(ctx, `UPDATE confirmation_links SET status = 'cancelled', answered_at = ?
			WHERE id = ? AND partner_id = ? AND status = 'pending' AND expires_at > ?`, t.now, id, partnerID, t.now)
		if err != nil {
			return fmt.Errorf("cancel confirmation link %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return pd.Errorf(pd.EConflict, "Only a pending link can be cancelled.")
		}
		return audit(ctx, t, partnerID, "confirmation_link_cancelled", "confirmation_link", fmt.Sprint(id), "")
	})
}

// countConfirmation counts a request of the public page from address for
// the token's hash, in one statement per counter, and refuses it (RetryAfter
// > 0) when either is over its limit. Unlike a sign-in, nothing is given
// back: every request counts.
func countConfirmation(ctx context.Context, t *tx, l ConfirmationLimits, address, tokenHash string) (time.Duration, error) {
	if a, err := netip.ParseAddr(address); err == nil {
		a = a.Unmap().WithZone("")
		if a.Is6() {
			a = netip.PrefixFrom(a, 64).Masked().Addr()
		}
		address = a.String()
	}
	var wait time.Duration
	for _, c := range []struct {
		scope, subject string
		limit          SignInLimit
	}{{scopeConfirmAddress, address, l.Address}, {scopeConfirmToken, tokenHash, l.Token}} {
		var attempts int
		var end time.Time
		err := t.queryRow(ctx, `INSERT INTO sign_in_counters (scope, subject, window_end, attempts) VALUES (?, ?, ?, 1)
			ON CONFLICT (scope, subject) DO UPDATE SET
				attempts = CASE WHEN sign_in_counters.window_end <= ? THEN 1 ELSE sign_in_counters.attempts + 1 END,
				window_end = CASE WHEN sign_in_counters.window_end <= ? THEN excluded.window_end ELSE sign_in_counters.window_end END
			RETURNING attempts, window_end`, c.scope, c.subject, t.now.Add(c.limit.Window), t.now, t.now).Scan(&attempts, &end)
		if err != nil {
			return 0, fmt.Errorf("count confirmation request: %w", err)
		}
		if attempts > c.limit.Max {
			wait = max(wait, end.Sub(t.now))
		}
	}
	return wait, nil
}

// LimitedError is the public page's refusal of a request over its limits.
type LimitedError struct{ RetryAfter time.Duration }

func (e *LimitedError) Error() string { return "too many requests" }

// publicLink reads a pending, unexpired link by its token's hash, locking
// nothing; errConfirmationGone for anything else.
func publicLink(ctx context.Context, t *tx, tokenHash string) (int64, *pd.PublicLink, error) {
	var id int64
	var pl pd.PublicLink
	err := t.queryRow(ctx, `SELECT l.id, p.name, l.services FROM confirmation_links l JOIN partners p ON p.id = l.partner_id
		WHERE l.token_hash = ? AND l.status = 'pending' AND l.expires_at > ?`, tokenHash, t.now).Scan(&id, &pl.PartnerName, &pl.Services)
	if err == sql.ErrNoRows {
		return 0, nil, errConfirmationGone
	} else if err != nil {
		return 0, nil, err
	}
	rows, err := t.query(ctx, `SELECT product_code, quantity FROM confirmation_link_products WHERE link_id = ? ORDER BY product_code`, id)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p pd.LinkProduct
		if err := rows.Scan(&p.Code, &p.Quantity); err != nil {
			return 0, nil, err
		}
		pl.Products = append(pl.Products, p)
	}
	return id, &pl, rows.Err()
}

// PublicConfirmationLink is what the public page shows for token, asked
// from address. An unknown, expired, answered or cancelled token is the
// same not-found error; a request over the limits is a *LimitedError
// (ETooMany), counted whether or not the token exists.
func (db *DB) PublicConfirmationLink(ctx context.Context, l ConfirmationLimits, token, address string) (*pd.PublicLink, error) {
	var pl *pd.PublicLink
	var gone error
	err := db.update(ctx, func(t *tx) error {
		h := hashToken(token)
		wait, err := countConfirmation(ctx, t, l, address, h)
		if err != nil {
			return err
		}
		if wait > 0 {
			return &LimitedError{RetryAfter: wait}
		}
		// A token that opens nothing still commits its count.
		_, pl, err = publicLink(ctx, t, h)
		if err == errConfirmationGone {
			gone = err
			return nil
		}
		return err
	})
	if err == nil {
		err = gone
	}
	return pl, confirmationError(err)
}

// AnswerConfirmationLink records the client's answer to the link of token:
// confirmed (its credit window starts today, in the program's time zone)
// or rejected with reason. A token answers once; every other case is as
// PublicConfirmationLink's.
func (db *DB) AnswerConfirmationLink(ctx context.Context, l ConfirmationLimits, token, address string, confirm bool, reason string) error {
	reason = strings.TrimSpace(reason)
	if !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > pd.MaxTextLen {
		reason = ""
	}
	var gone error
	err := db.update(ctx, func(t *tx) error {
		h := hashToken(token)
		wait, err := countConfirmation(ctx, t, l, address, h)
		if err != nil {
			return err
		}
		if wait > 0 {
			return &LimitedError{RetryAfter: wait}
		}
		prog, err := program(ctx, t)
		if err != nil {
			return err
		}
		day := today(t, prog)
		status, from, to, action := "rejected", sql.Null[pd.Date]{}, sql.Null[pd.Date]{}, "confirmation_link_rejected"
		if confirm {
			status, action = "confirmed", "confirmation_link_confirmed"
			from = sql.Null[pd.Date]{V: day, Valid: true}
			to = sql.Null[pd.Date]{V: day.AddDays(prog.ConfirmationCreditDays), Valid: true}
			reason = ""
		}
		// One compare-and-set: two answers at once record one.
		var id, partnerID int64
		err = t.queryRow(ctx, `UPDATE confirmation_links SET status = ?, answered_at = ?, credit_from = ?, credit_to = ?, reason = ?
			WHERE token_hash = ? AND status = 'pending' AND expires_at > ? RETURNING id, partner_id`,
			status, t.now, from, to, reason, h, t.now).Scan(&id, &partnerID)
		if err == sql.ErrNoRows {
			gone = errConfirmationGone // the count stays
			return nil
		} else if err != nil {
			return fmt.Errorf("answer confirmation link: %w", err)
		}
		return audit(ctx, t, partnerID, action, "confirmation_link", fmt.Sprint(id), reason)
	})
	if err == nil {
		err = gone
	}
	return confirmationError(err)
}

// confirmationError turns a refusal into its domain error, kept in the
// chain for its RetryAfter.
func confirmationError(err error) error {
	var le *LimitedError
	if errors.As(err, &le) {
		return fmt.Errorf("%w%w", pd.Errorf(pd.ETooMany, "Too many requests. Try again later."), le)
	}
	return err
}

// CreditLink is a confirmed link as the credit ledger reads it.
type CreditLink struct {
	ID        int64
	PartnerID int64
	ClientID  int64
	Products  []string
	From, To  pd.Date
}

// CreditLinks returns every confirmed link of a client (prospects' links
// wait for their client), by client then confirmation, for the daily
// refresh.
func (db *DB) CreditLinks(ctx context.Context) ([]CreditLink, error) {
	var out []CreditLink
	err := db.view(ctx, func(t *tx) error {
		rows, err := t.query(ctx, `SELECT l.id, l.partner_id, l.client_id, l.credit_from, l.credit_to, lp.product_code
			FROM confirmation_links l JOIN confirmation_link_products lp ON lp.link_id = l.id
			WHERE l.status = 'confirmed' AND l.client_id IS NOT NULL
			ORDER BY l.client_id, l.credit_from, l.id, lp.product_code`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l CreditLink
			var product string
			if err := rows.Scan(&l.ID, &l.PartnerID, &l.ClientID, &l.From, &l.To, &product); err != nil {
				return err
			}
			if n := len(out); n > 0 && out[n-1].ID == l.ID {
				out[n-1].Products = append(out[n-1].Products, product)
				continue
			}
			l.Products = []string{product}
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read confirmed links: %w", err)
	}
	return out, nil
}

// matchProspects gives the links made for a prospect their client, once a
// client with the prospect's domain arrives (among domains): when exactly
// one client has the domain and one partner's links name it. A confirmed
// link also gives its partner a sold relationship with the client, unless
// one is open. Domains that more than one client or partner claim stay
// unmatched, for vendor staff to resolve.
func matchProspects(ctx context.Context, t *tx, domains []string) error {
	var ds []string
	for _, d := range domains {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" && !slices.Contains(ds, d) {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return nil
	}
	// Most batches meet no prospect: one indexed look first.
	var waiting int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM confirmation_links
		WHERE client_id IS NULL AND prospect_domain <> '' LIMIT 1) x`).Scan(&waiting); err != nil {
		return fmt.Errorf("match prospects: %w", err)
	}
	if waiting == 0 {
		return nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ds)), ", ")
	args := []any{t.now}
	for _, d := range ds {
		args = append(args, d)
	}
	rows, err := t.query(ctx, `SELECT l.id, l.partner_id, l.status, c.id, c.name FROM confirmation_links l
		JOIN clients c ON lower(c.domain) = l.prospect_domain
		WHERE l.client_id IS NULL AND (l.status = 'confirmed' OR l.status = 'pending' AND l.expires_at > ?)
			AND l.prospect_domain IN (`+marks+`)
			AND (SELECT COUNT(*) FROM clients o WHERE lower(o.domain) = l.prospect_domain) = 1
			AND (SELECT COUNT(DISTINCT o.partner_id) FROM confirmation_links o
				WHERE o.prospect_domain = l.prospect_domain AND o.client_id IS NULL AND o.status IN ('pending', 'confirmed')) = 1
		ORDER BY l.id`, args...)
	if err != nil {
		return fmt.Errorf("match prospects: %w", err)
	}
	type match struct {
		link, partner, client int64
		confirmed             bool
		name                  string
	}
	var ms []match
	for rows.Next() {
		var m match
		var status string
		if err := rows.Scan(&m.link, &m.partner, &status, &m.client, &m.name); err != nil {
			rows.Close()
			return fmt.Errorf("match prospects: %w", err)
		}
		m.confirmed = status == string(pd.LinkConfirmed)
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("match prospects: %w", err)
	}
	prog, err := program(ctx, t)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if _, err := t.exec(ctx, `UPDATE confirmation_links SET client_id = ? WHERE id = ?`, m.client, m.link); err != nil {
			return fmt.Errorf("match prospect of link %d: %w", m.link, err)
		}
		if m.confirmed {
			if _, err := t.exec(ctx, `INSERT INTO client_partners (client_id, partner_id, relationship, started_on)
				SELECT ?, ?, 'sold', ? WHERE NOT EXISTS (SELECT 1 FROM client_partners
					WHERE client_id = ? AND partner_id = ? AND ended_on IS NULL)`,
				m.client, m.partner, today(t, prog), m.client, m.partner); err != nil {
				return fmt.Errorf("relate the prospect of link %d: %w", m.link, err)
			}
		}
		if err := audit(ctx, t, m.partner, "confirmation_link_matched", "confirmation_link", fmt.Sprint(m.link), m.name); err != nil {
			return err
		}
	}
	return nil
}
