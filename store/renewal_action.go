package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// A partner's actions on its clients' renewals. Each writes through the
// partner's own scope (vendor staff are read-only on a dashboard), checks
// that a partner employee acts on a client assigned to them, and records
// the change in the renewal's history and the audit log.

// renewalAction loads the renewal a partner user acts on, in a write
// transaction, with the program and today's date.
func renewalAction(ctx context.Context, t *tx, renewalID int64) (int64, *pd.Renewal, string, pd.Program, pd.Date, error) {
	partnerID, prog, day, err := scopedDay(ctx, t, true)
	if err != nil {
		return 0, nil, "", prog, day, err
	}
	r, setting, err := scopedRenewal(ctx, t, partnerID, renewalID, prog.DecisionDeadlineDays)
	if err != nil {
		return 0, nil, "", prog, day, err
	}
	if p := pd.PrincipalFrom(ctx); p.Role == pd.RolePartnerEmployee && !r.AssignedToMe {
		return 0, nil, "", prog, day, pd.Errorf(pd.EForbidden, "Only your partner admin can act on the renewals of a client not assigned to you.")
	}
	return partnerID, r, setting, prog, day, nil
}

func recordHistory(ctx context.Context, t *tx, renewalID int64, kind, detail, note string) error {
	_, err := t.exec(ctx, `INSERT INTO renewal_decisions (renewal_id, decision, detail, note, user_id, decided_at)
		VALUES (?, ?, ?, ?, ?, ?)`, renewalID, kind, detail, note, nullID(pd.PrincipalFrom(ctx).UserID), t.now)
	if err != nil {
		return fmt.Errorf("record renewal history: %w", err)
	}
	return nil
}

// CheckDecision reports, without changing anything, whether the signed-in
// partner user may record decision on the renewal now: what the
// confirmation step asks before it asks.
func (db *DB) CheckDecision(ctx context.Context, renewalID int64, decision, note string) (*pd.Renewal, error) {
	var r *pd.Renewal
	err := db.view(ctx, func(t *tx) error {
		_, rr, _, _, day, err := renewalAction(ctx, t, renewalID)
		if err != nil {
			return err
		}
		r = rr
		return checkDecision(r, day, decision, note)
	})
	return r, err
}

func checkDecision(r *pd.Renewal, day pd.Date, decision, note string) error {
	switch {
	case len(note) > pd.MaxNoteLen:
		return pd.Errorf(pd.EInvalid, "The note is too long (at most %d characters).", pd.MaxNoteLen)
	case r.Owner != pd.OwnerPartner:
		return pd.Errorf(pd.EForbidden, "The vendor owns the communication of this renewal, so the vendor records its decision. Make your agency the owner first.")
	case !r.Open(day):
		return pd.Errorf(pd.EConflict, "This renewal is no longer pending: its decision has been recorded or its date has passed.")
	case !r.Allows(decision):
		return pd.Errorf(pd.EInvalid, "Choose one of the decisions this contract offers.")
	}
	return nil
}

// RecordDecision records the partner's decision on a pending renewal whose
// communication it owns: renew as proposed, confirm an upgrade or an
// overage, or request cancellation, with an optional note. A decision is
// final; a second one is a conflict.
func (db *DB) RecordDecision(ctx context.Context, renewalID int64, decision, note string) error {
	note = strings.TrimSpace(note)
	return db.update(ctx, func(t *tx) error {
		partnerID, r, _, _, day, err := renewalAction(ctx, t, renewalID)
		if err != nil {
			return err
		}
		if err := checkDecision(r, day, decision, note); err != nil {
			return err
		}
		res, err := t.exec(ctx, `UPDATE renewals SET status = ? WHERE id = ? AND status = 'pending'`, decision, renewalID)
		if err != nil {
			return fmt.Errorf("record decision on renewal %d: %w", renewalID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return pd.Errorf(pd.EConflict, "This renewal is no longer pending: its decision has been recorded or its date has passed.")
		}
		if err := recordHistory(ctx, t, renewalID, decision, "", note); err != nil {
			return err
		}
		detail := r.ClientName
		if note != "" {
			detail += ": " + note
		}
		return audit(ctx, t, partnerID, "renewal_"+decision, "renewal", fmt.Sprint(renewalID), detail)
	})
}

// SetCommOwner sets who owns the renewal communication of the renewal's
// client: the partner, the vendor, or the program's default. It applies to
// the client's renewals from today on, and is written to the history of
// each one whose owner changes.
func (db *DB) SetCommOwner(ctx context.Context, renewalID int64, setting string) error {
	return db.update(ctx, func(t *tx) error {
		partnerID, r, current, prog, day, err := renewalAction(ctx, t, renewalID)
		if err != nil {
			return err
		}
		if setting != pd.OwnerPartner && setting != pd.OwnerVendor && setting != pd.OwnerDefault {
			return pd.Errorf(pd.EInvalid, "The communication owner is partner, vendor or the program default.")
		}
		owner := prog.CommOwner(setting)
		if current != setting {
			column := sql.NullString{String: setting, Valid: setting != pd.OwnerDefault}
			if _, err := t.exec(ctx, "UPDATE clients SET comm_owner = ? WHERE id = ?", column, r.ClientID); err != nil {
				return fmt.Errorf("set communication owner: %w", err)
			}
		}
		// Only the renewals whose owner changes get a history line (one
		// imported with another owner than the client's setting does).
		detail := owner
		if setting == pd.OwnerDefault {
			detail = pd.OwnerDefault + ":" + owner
		}
		if _, err := t.exec(ctx, `INSERT INTO renewal_decisions (renewal_id, decision, detail, note, user_id, decided_at)
			SELECT id, ?, ?, '', ?, ? FROM renewals WHERE client_id = ? AND renewal_date >= ? AND comm_owner <> ?`,
			pd.HistoryOwner, detail, nullID(pd.PrincipalFrom(ctx).UserID), t.now, r.ClientID, day, owner); err != nil {
			return fmt.Errorf("set communication owner: %w", err)
		}
		res, err := t.exec(ctx, `UPDATE renewals SET comm_owner = ? WHERE client_id = ? AND renewal_date >= ? AND comm_owner <> ?`,
			owner, r.ClientID, day, owner)
		if err != nil {
			return fmt.Errorf("set communication owner: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 && current == setting {
			return nil // nothing changed
		}
		return audit(ctx, t, partnerID, "set_comm_owner_"+setting, "client", fmt.Sprint(r.ClientID), r.ClientName)
	})
}

// SetPrimaryContact picks the primary client contact of a renewal whose
// communication the partner owns, among the client's contacts.
func (db *DB) SetPrimaryContact(ctx context.Context, renewalID, contactID int64) error {
	return db.update(ctx, func(t *tx) error {
		partnerID, r, _, _, day, err := renewalAction(ctx, t, renewalID)
		if err != nil {
			return err
		}
		if r.Owner != pd.OwnerPartner {
			return pd.Errorf(pd.EForbidden, "The vendor owns the communication of this renewal, so the vendor picks the primary contact.")
		}
		if r.RenewalDate.Before(day) {
			return pd.Errorf(pd.EConflict, "This renewal's date has passed.")
		}
		if r.PrimaryContactID == contactID {
			return nil
		}
		var name string
		err = t.queryRow(ctx, "SELECT name FROM client_contacts WHERE id = ? AND client_id = ?", contactID, r.ClientID).Scan(&name)
		if err == sql.ErrNoRows {
			return pd.Errorf(pd.EInvalid, "Choose one of %s's contacts.", r.ClientName)
		} else if err != nil {
			return fmt.Errorf("set primary contact: %w", err)
		}
		if _, err := t.exec(ctx, "UPDATE renewals SET primary_contact_id = ? WHERE id = ?", contactID, renewalID); err != nil {
			return fmt.Errorf("set primary contact: %w", err)
		}
		if err := recordHistory(ctx, t, renewalID, pd.HistoryContact, name, ""); err != nil {
			return err
		}
		return audit(ctx, t, partnerID, "set_primary_contact", "renewal", fmt.Sprint(renewalID), r.ClientName+": "+name)
	})
}
