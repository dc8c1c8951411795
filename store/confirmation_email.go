package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// A confirmation link's email: sent, if at all, when the link is created,
// since its token is never stored; to one of its client's contacts, or to
// the address a partner typed for a prospect.

// linkRecipient is the contact a new link is emailed to: one of its
// client's contacts, named by id or address, or for a prospect the
// address typed in; a zero Contact when the link is not emailed. A
// contact of any other client, the partner's or not, is refused like an
// unknown one.
func linkRecipient(ctx context.Context, t *tx, clientID int64, nl pd.NewConfirmationLink) (pd.Contact, error) {
	addr := strings.TrimSpace(nl.EmailTo)
	switch {
	case nl.ContactID == 0 && addr == "":
		return pd.Contact{}, nil
	case nl.ContactID != 0 && addr != "":
		return pd.Contact{}, pd.Errorf(pd.EInvalid, "Choose a contact or type an address, not both.")
	case clientID == 0 && nl.ContactID != 0:
		return pd.Contact{}, pd.Errorf(pd.EInvalid, "A prospect has no contacts yet: type the address to email the link to.")
	case addr != "" && !pd.IsEmail(addr):
		return pd.Contact{}, pd.Errorf(pd.EInvalid, "%q is not an email address.", addr)
	case clientID == 0:
		return pd.Contact{Email: addr}, nil
	}
	where, arg := "id = ?", any(nl.ContactID)
	if nl.ContactID == 0 {
		where, arg = "lower(email) = lower(?)", addr
	}
	var c pd.Contact
	err := t.queryRow(ctx, `SELECT id, name, email FROM client_contacts WHERE client_id = ? AND email <> '' AND `+where+`
		ORDER BY id LIMIT 1`, clientID, arg).Scan(&c.ID, &c.Name, &c.Email)
	if err == sql.ErrNoRows {
		return c, pd.Errorf(pd.EInvalid, "Choose one of the client's contacts to email the link to.")
	}
	return c, err
}

// principalLanguage is the signed-in user's language ("" for none).
func principalLanguage(ctx context.Context) string {
	if p := pd.PrincipalFrom(ctx); p != nil {
		return p.Language
	}
	return ""
}

// emailLink queues the email of a new link l, with its token, to the
// recipient recorded on it, and audits it.
func emailLink(ctx context.Context, t *tx, m pd.Mailer, l pd.ConfirmationLink, prog pd.Program, tok string) error {
	if m == nil {
		return fmt.Errorf("email confirmation link %d: no mailer", l.ID)
	}
	e, err := m.ConfirmationLink(pd.LinkNotice{To: l.EmailedTo, ToName: l.EmailedName, Partner: l.PartnerName, Program: prog.Name,
		Products: l.Products, Services: l.Services, Expires: l.ExpiresAt, Language: principalLanguage(ctx)}, tok)
	if err != nil {
		return fmt.Errorf("email confirmation link %d: %w", l.ID, err)
	}
	if _, err := queueEmail(ctx, t, e, 0, ""); err != nil {
		return err
	}
	return audit(ctx, t, l.PartnerID, "confirmation_link_emailed", "confirmation_link", fmt.Sprint(l.ID), l.EmailedTo)
}

// LinkContacts returns the contacts of those of clientIDs that are the
// scoped partner's clients, by client, for the form that emails a new
// link; the others' are left out.
func (db *DB) LinkContacts(ctx context.Context, clientIDs []int64) (map[int64][]pd.Contact, error) {
	out := map[int64][]pd.Contact{}
	if len(clientIDs) == 0 {
		return out, nil
	}
	err := db.view(ctx, func(t *tx) error {
		partnerID, err := partnerScope(ctx, t, false)
		if err != nil {
			return err
		}
		args := []any{partnerID}
		for _, id := range clientIDs {
			args = append(args, id)
		}
		rows, err := t.query(ctx, `SELECT cc.client_id, cc.id, cc.name, cc.email, cc.title FROM client_contacts cc
			WHERE cc.email <> '' AND cc.client_id IN (SELECT cp.client_id FROM client_partners cp WHERE cp.partner_id = ? AND cp.ended_on IS NULL)
				AND cc.client_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(clientIDs)), ", ")+`)
			ORDER BY cc.client_id, lower(cc.name), cc.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var clientID int64
			var c pd.Contact
			if err := rows.Scan(&clientID, &c.ID, &c.Name, &c.Email, &c.Title); err != nil {
				return err
			}
			out[clientID] = append(out[clientID], c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list the clients' contacts: %w", err)
	}
	return out, nil
}
