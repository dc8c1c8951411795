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
// that a partner employee acts on a client assigned to them and that the
// partner owns the renewal's communication (a client's other partners see
// it read-only), and records the change in the renewal's history and in
// the audit log of every partner of the client, whose pages it changes.

// renewalAction loads the renewal a partner user acts on, in a write
// transaction, with the program and today's date.
func renewalAction(ctx context.Context, t *tx, renewalID int64) (int64, *pd.RenewalDetail, pd.Program, pd.Date, error) {
	partnerID, prog, day, err := scopedDay(ctx, t, true)
	if err != nil {
		return 0, nil, prog, day, err
	}
	d, err := scopedRenewal(ctx, t, partnerID, renewalID, prog)
	if err != nil {
		return 0, nil, prog, day, err
	}
	if p := pd.PrincipalFrom(ctx); p.Role == pd.RolePartnerEmployee && !d.AssignedToMe {
		return 0, nil, prog, day, pd.Errorf(pd.EForbidden, "Only your partner admin can act on the renewals of a client not assigned to you.")
	}
	return partnerID, d, prog, day, nil
}

// notOwner refuses an action on a renewal whose communication the acting
// partner does not own, saying who owns it and so does what instead (the
// decision, or else the primary contact), in whole sentences for the
// catalogs.
func notOwner(r *pd.Renewal, decision bool) error {
	switch {
	case r.Owner == pd.OwnerVendor && decision:
		return pd.Errorf(pd.EForbidden, "The vendor owns the communication of this renewal, so the vendor records its decision. Make your agency the owner first.")
	case r.Owner == pd.OwnerVendor:
		return pd.Errorf(pd.EForbidden, "The vendor owns the communication of this renewal, so the vendor picks the primary contact. Make your agency the owner first.")
	case decision:
		return pd.Errorf(pd.EForbidden, "%s owns the communication of this renewal, so it records its decision.", r.OwnerPartner)
	}
	return pd.Errorf(pd.EForbidden, "%s owns the communication of this renewal, so it picks the primary contact.", r.OwnerPartner)
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
		partnerID, d, _, day, err := renewalAction(ctx, t, renewalID)
		if err != nil {
			return err
		}
		r = &d.Renewal
		return checkDecision(r, partnerID, day, decision, note)
	})
	return r, err
}

func checkDecision(r *pd.Renewal, partnerID int64, day pd.Date, decision, note string) error {
	switch {
	case len(note) > pd.MaxNoteLen:
		return pd.Errorf(pd.EInvalid, "The note is too long (at most %d characters).", pd.MaxNoteLen)
	case !r.OwnedBy(partnerID):
		return notOwner(r, true)
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
// final; a second one is a conflict. The note is the partner's own: the
// client's other partners' audit logs have the decision without it.
func (db *DB) RecordDecision(ctx context.Context, renewalID int64, decision, note string) error {
	note = strings.TrimSpace(note)
	return db.update(ctx, func(t *tx) error {
		partnerID, d, _, day, err := renewalAction(ctx, t, renewalID)
		if err != nil {
			return err
		}
		if err := checkDecision(&d.Renewal, partnerID, day, decision, note); err != nil {
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
		detail := d.ClientName
		if note != "" {
			detail += ": " + note
		}
		return auditClient(ctx, t, partnerID, d.ClientID, "renewal_"+decision, "renewal", fmt.Sprint(renewalID), detail, d.ClientName)
	})
}

// SetCommOwner sets who owns the renewal communication of the renewal's
// client: the partner itself, the vendor, or the program's default (the
// vendor, or the client's selling partner, else its managing partner with
// the lowest id). Only the partner that owns the communication may change
// it, or any partner of the client while the vendor owns it and the
// client's setting gives it to no other partner. It applies to the
// client's renewals from today on that the vendor or the partner owns
// (never to another partner's), and is written to the history of each one
// whose owner changes.
func (db *DB) SetCommOwner(ctx context.Context, renewalID int64, setting string) error {
	return db.update(ctx, func(t *tx) error {
		partnerID, d, prog, day, err := renewalAction(ctx, t, renewalID)
		if err != nil {
			return err
		}
		if setting != pd.OwnerPartner && setting != pd.OwnerVendor && setting != pd.OwnerDefault {
			return pd.Errorf(pd.EInvalid, "The communication owner is partner, vendor or the program default.")
		}
		if !d.OwnerChangeableBy(partnerID) {
			owner := d.SettingPartner
			if d.Owner == pd.OwnerPartner && !d.OwnedBy(partnerID) {
				owner = d.OwnerPartner
			}
			return pd.Errorf(pd.EForbidden, "%s owns the communication of %s's renewals, so only its users can change who owns it.", owner, d.ClientName)
		}
		// The owner the setting gives: the partner itself for "partner";
		// for the default, the vendor or the default's partner.
		owner, ownerID := prog.CommOwner(setting), int64(0)
		switch {
		case setting == pd.OwnerPartner:
			ownerID = partnerID
		case owner == pd.OwnerPartner && d.DefaultPartnerID != 0: // always: the acting partner serves the client
			ownerID = d.DefaultPartnerID
		default:
			owner = pd.OwnerVendor
		}
		column, named := sql.NullString{String: setting, Valid: setting != pd.OwnerDefault}, nullID(0)
		if setting == pd.OwnerPartner {
			named = nullID(partnerID)
		}
		settingChanged := d.ClientOwner != setting || setting == pd.OwnerPartner && d.SettingPartnerID != partnerID
		if settingChanged {
			if _, err := t.exec(ctx, "UPDATE clients SET comm_owner = ?, comm_partner_id = ? WHERE id = ?", column, named, d.ClientID); err != nil {
				return fmt.Errorf("set communication owner: %w", err)
			}
		}
		// Only the renewals whose owner changes get a history line (one
		// imported with another owner than the client's setting does).
		detail := owner
		if setting == pd.OwnerDefault {
			detail = pd.OwnerDefault + ":" + owner
		}
		const moving = `client_id = ? AND renewal_date >= ? AND (comm_owner = 'vendor' OR comm_partner_id = ?)
			AND NOT (comm_owner = ? AND COALESCE(comm_partner_id, 0) = ?)`
		args := []any{d.ClientID, day, partnerID, owner, ownerID}
		if _, err := t.exec(ctx, `INSERT INTO renewal_decisions (renewal_id, decision, detail, note, user_id, decided_at, comm_partner_id)
			SELECT id, ?, ?, '', ?, ?, ? FROM renewals WHERE `+moving,
			append([]any{pd.HistoryOwner, detail, nullID(pd.PrincipalFrom(ctx).UserID), t.now, nullID(ownerID)}, args...)...); err != nil {
			return fmt.Errorf("set communication owner: %w", err)
		}
		res, err := t.exec(ctx, `UPDATE renewals SET comm_owner = ?, comm_partner_id = ? WHERE `+moving,
			append([]any{owner, nullID(ownerID)}, args...)...)
		if err != nil {
			return fmt.Errorf("set communication owner: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 && !settingChanged {
			return nil // nothing changed
		}
		return auditClient(ctx, t, partnerID, d.ClientID, "set_comm_owner_"+setting, "client", fmt.Sprint(d.ClientID), d.ClientName, d.ClientName)
	})
}

// releaseComm gives back what partnerID owned of the renewal communication
// of clients its relationship with has just ended: nobody could decide on
// those renewals otherwise, since only the owning partner's users may. A
// client's setting that names the partner follows the program's default
// again, and its renewals from today on go to the owner the default gives
// (the vendor, or the client's default partner among those still serving
// it), each with a line in its history; the client's other partners get
// the audit entry.
func releaseComm(ctx context.Context, t *tx, prog pd.Program, partnerID int64, clientIDs []int64) error {
	day, list := today(t, prog), t.d.listArg(clientIDs)
	const moving = `renewal_date >= ? AND comm_partner_id = ? AND `
	rows, err := t.query(ctx, `SELECT client_id FROM renewals WHERE `+moving+t.d.inList("client_id")+`
		UNION SELECT id FROM clients WHERE comm_partner_id = ? AND `+t.d.inList("id"), day, partnerID, list, partnerID, list)
	if err != nil {
		return fmt.Errorf("release the communication of partner %d: %w", partnerID, err)
	}
	var changed []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("release the communication of partner %d: %w", partnerID, err)
		}
		changed = append(changed, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(changed) == 0 {
		return err
	}
	list = t.d.listArg(changed)
	partner := "NULL"
	if prog.CommOwner("") == pd.OwnerPartner {
		partner = defaultPartner("renewals.client_id")
	}
	owner := "CASE WHEN " + partner + " IS NULL THEN 'vendor' ELSE 'partner' END"
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE clients SET comm_owner = NULL, comm_partner_id = NULL WHERE comm_partner_id = ? AND ` + t.d.inList("id"), []any{partnerID, list}},
		{`INSERT INTO renewal_decisions (renewal_id, decision, detail, note, user_id, decided_at, comm_partner_id)
			SELECT id, ?, ? || ` + owner + `, '', ?, ?, ` + partner + ` FROM renewals WHERE ` + moving + t.d.inList("client_id"),
			[]any{pd.HistoryOwner, pd.OwnerDefault + ":", nullID(pd.PrincipalFrom(ctx).UserID), t.now, day, partnerID, list}},
		{`UPDATE renewals SET comm_owner = ` + owner + `, comm_partner_id = ` + partner + ` WHERE ` + moving + t.d.inList("client_id"),
			[]any{day, partnerID, list}},
	} {
		if _, err := t.exec(ctx, q.sql, q.args...); err != nil {
			return fmt.Errorf("release the communication of partner %d: %w", partnerID, err)
		}
	}
	userID, tokenID := actor(ctx)
	if _, err := t.exec(ctx, `INSERT INTO audit_log (at, user_id, token_id, partner_id, action, entity, entity_id, detail, origin)
		SELECT ?, ?, ?, cp.partner_id, ?, 'client', CAST(c.id AS TEXT), c.name, ?
		FROM client_partners cp JOIN clients c ON c.id = cp.client_id
		WHERE cp.ended_on IS NULL AND cp.partner_id <> ? AND `+t.d.inList("cp.client_id"),
		t.now, userID, tokenID, "set_comm_owner_"+pd.OwnerDefault, origin(ctx), partnerID, list); err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// SetPrimaryContact picks the primary client contact of a renewal whose
// communication the partner owns, among the client's contacts (whom all
// its partners see).
func (db *DB) SetPrimaryContact(ctx context.Context, renewalID, contactID int64) error {
	return db.update(ctx, func(t *tx) error {
		partnerID, d, _, day, err := renewalAction(ctx, t, renewalID)
		if err != nil {
			return err
		}
		r := &d.Renewal
		if !r.OwnedBy(partnerID) {
			return notOwner(r, false)
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
		detail := r.ClientName + ": " + name
		return auditClient(ctx, t, partnerID, r.ClientID, "set_primary_contact", "renewal", fmt.Sprint(renewalID), detail, detail)
	})
}
