package store

import (
	"context"
	"fmt"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

var activitySpec = &spec{kind: "activity day", table: "partner_activity", key: []string{"client_id", "user_id", "day"},
	cols: []string{"client_id", "user_id", "day", "partner_id", "actions"}, keyField: "day", mode: modeImmutable,
	fields: map[string]string{"client_id": "client", "user_id": "user", "day": "day", "partner_id": "user", "actions": "actions"}}

// Activity stores partner users' activity days in clients' accounts, by
// client, user and day: a day stored with the same content is a no-op,
// with other content a conflict. The user (by email) must belong to a
// partner with an active relationship with the client, to which the
// work is attributed.
func (in *Ingest) Activity(recs []pd.ActivityRecord, base int) error {
	ok := in.begin("activity", base, len(recs), func(i int) []pd.Problem {
		recs[i].User = strings.ToLower(recs[i].User)
		return recs[i].Check(base + i)
	})
	clients, emails := make([]string, len(recs)), make([]string, len(recs))
	for i, r := range recs {
		clients[i], emails[i] = r.Client, r.User
	}
	cids, err := in.resolveAccounts(clients)
	if err != nil {
		return err
	}
	users, err := in.partnerUsers(emails)
	if err != nil {
		return err
	}
	var ids []int64
	for _, id := range cids {
		ids = append(ids, id)
	}
	rels, err := in.activePartners(ids)
	if err != nil {
		return err
	}
	rows := make([]row, 0, len(recs))
	for i, r := range recs {
		c := in.ref(cids, base+i, "client", r.Client, "client", &ok[i])
		if r.User == "" || in.flagged(base+i, "user") {
			continue
		}
		u, found := users[r.User]
		switch {
		case !found:
			in.problem(base+i, "user", pd.ENotFound, "no user has the email %q", r.User)
			ok[i] = false
		case c != nil && !rels[[2]int64{c.(int64), u.partner}]:
			in.problem(base+i, "user", pd.EInvalid, "%s is not a user of one of the client's partners", r.User)
			ok[i] = false
		}
		if ok[i] {
			rows = append(rows, row{index: base + i, vals: []any{c, u.id, r.Day, u.partner, int64(r.Actions)}})
		}
	}
	_, _, err = in.upsert(activitySpec, rows)
	return err
}

type partnerUser struct{ id, partner int64 }

// partnerUsers maps the emails of partners' users to them.
func (in *Ingest) partnerUsers(emails []string) (map[string]partnerUser, error) {
	out := map[string]partnerUser{}
	var list []string
	for _, e := range emails {
		if _, ok := out[e]; !ok && e != "" {
			out[e] = partnerUser{}
			list = append(list, e)
		}
	}
	clear(out)
	if len(list) == 0 {
		return out, nil
	}
	res, err := in.t.query(in.ctx, "SELECT email, id, partner_id FROM users WHERE partner_id IS NOT NULL AND "+in.t.d.inList("email"), in.t.d.listArg(list))
	if err != nil {
		return nil, fmt.Errorf("resolve users: %w", err)
	}
	defer res.Close()
	for res.Next() {
		var e string
		var u partnerUser
		if err := res.Scan(&e, &u.id, &u.partner); err != nil {
			return nil, fmt.Errorf("resolve users: %w", err)
		}
		out[e] = u
	}
	return out, res.Err()
}

// activePartners lists the (client, partner) pairs of the clients' active
// relationships, those of this load included.
func (in *Ingest) activePartners(clients []int64) (map[[2]int64]bool, error) {
	out := map[[2]int64]bool{}
	if len(clients) == 0 {
		return out, nil
	}
	res, err := in.t.query(in.ctx, "SELECT client_id, partner_id FROM client_partners WHERE ended_on IS NULL AND "+in.t.d.inList("client_id"),
		in.t.d.listArg(clients))
	if err != nil {
		return nil, fmt.Errorf("read relationships: %w", err)
	}
	defer res.Close()
	for res.Next() {
		var k [2]int64
		if err := res.Scan(&k[0], &k[1]); err != nil {
			return nil, fmt.Errorf("read relationships: %w", err)
		}
		out[k] = true
	}
	return out, res.Err()
}

// clientPeople sums the activity of partnerID's people in a client's
// account since a day; another partner's people on a shared client are
// never read.
func clientPeople(ctx context.Context, t *tx, partnerID, clientID int64, since pd.Date) ([]pd.PersonActivity, error) {
	rows, err := t.query(ctx, `SELECT u.name, u.email, MAX(a.day), COUNT(*), SUM(a.actions)
		FROM partner_activity a JOIN users u ON u.id = a.user_id
		WHERE a.client_id = ? AND a.partner_id = ? AND a.day >= ?
		GROUP BY u.id, u.name, u.email ORDER BY MAX(a.day) DESC, lower(u.name)`, clientID, partnerID, since)
	if err != nil {
		return nil, fmt.Errorf("load people's activity: %w", err)
	}
	defer rows.Close()
	var ps []pd.PersonActivity
	for rows.Next() {
		var p pd.PersonActivity
		if err := rows.Scan(&p.Name, &p.Email, &p.Last, &p.Days, &p.Actions); err != nil {
			return nil, fmt.Errorf("load people's activity: %w", err)
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}
