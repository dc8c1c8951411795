package store

import (
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// One method per kind of record: check the records, resolve the external
// ids they refer to, and hand the good ones to upsert. base is the index of
// recs[0] in the load, for problems.

// begin counts a batch of records from index base and checks them; ok[i]
// says recs[i] passed. A record's fields already reported (Problem) are
// not checked again. The fields with a problem are noted for the batch,
// so that the kind's further checks (its references) look at the others
// and a record's report is whole, one problem a field.
func (in *Ingest) begin(kind string, base, n int, check func(i int) []pd.Problem) []bool {
	in.counts[kind] += n
	in.res.Received += n
	clear(in.bad)
	ok := make([]bool, n)
	for i := range ok {
		pre, marked := in.marked[base+i]
		delete(in.marked, base+i)
		bad := pre
		for _, p := range check(i) {
			if !slices.Contains(bad, p.Field) && !slices.Contains(pre, "") {
				in.problems.Add(p)
				bad = append(bad, p.Field)
			}
		}
		if ok[i] = !marked && len(bad) == 0; !ok[i] {
			in.bad[base+i] = bad
		}
	}
	return ok
}

// flagged reports whether record i of the batch has a problem with field
// (or with the whole record).
func (in *Ingest) flagged(i int, field string) bool {
	bad, ok := in.bad[i]
	return ok && (slices.Contains(bad, field) || slices.Contains(bad, ""))
}

// ref resolves a reference of record i, reporting it when unknown; an
// empty reference, or one whose field has a problem already, is nil.
func (in *Ingest) ref(ids map[string]int64, i int, field, v, what string, ok *bool) any {
	if v == "" || in.flagged(i, field) {
		return nil
	}
	id, found := ids[v]
	if !found {
		in.problem(i, field, pd.ENotFound, "no %s has the id %q", what, v)
		*ok = false
		return nil
	}
	return id
}

var eventSpec = &spec{kind: "billing event", table: "billing_events", key: []string{"external_id"},
	cols:       []string{"external_id", "occurred_at", "client_id", "partner_id", "product_code", "mrr"},
	insertOnly: []string{"received_at"}, keyField: "id", mode: modeImmutable,
	fields: map[string]string{"external_id": "id", "occurred_at": "occurred_at", "client_id": "client", "partner_id": "partner", "product_code": "product", "mrr": "mrr"}}

// BillingEvents stores billing events. A stored id with the same content
// is a no-op, with other content a conflict. Each new event's line (client
// × product) is created if missing; lines and clients follow their latest
// events when the load ends.
func (in *Ingest) BillingEvents(recs []pd.BillingEventRecord, base int) error {
	ok := in.begin("billing_events", base, len(recs), func(i int) []pd.Problem {
		// Both engines keep microseconds; compare what they will keep.
		recs[i].OccurredAt = recs[i].OccurredAt.UTC().Truncate(time.Microsecond)
		return recs[i].Check(base + i)
	})
	clients, partners := make([]string, len(recs)), make([]string, len(recs))
	for i, r := range recs {
		clients[i], partners[i] = r.Client, r.Partner
	}
	cids, err := in.resolveAccounts(clients)
	if err != nil {
		return err
	}
	pids, err := in.resolve("partners", "external_id", partners)
	if err != nil {
		return err
	}
	rows := make([]row, 0, len(recs))
	for i, r := range recs {
		c := in.ref(cids, base+i, "client", r.Client, "client", &ok[i])
		p := in.ref(pids, base+i, "partner", r.Partner, "partner", &ok[i])
		if ok[i] {
			rows = append(rows, row{index: base + i, vals: []any{r.ID, r.OccurredAt, c, p, r.Product, r.MRR, in.t.now}})
		}
	}
	created, _, err := in.upsert(eventSpec, rows)
	if err != nil {
		return err
	}
	return in.eventLines(created)
}

// eventLines notes each new event's line (client × product) with its
// latest new event; refresh creates the lines that are missing and brings
// the others up to date.
func (in *Ingest) eventLines(created []row) error {
	for _, r := range created {
		p := linePair{r.vals[2].(int64), r.vals[4].(string)}
		ev := lineEvent{at: r.vals[1].(time.Time), id: r.vals[0].(string), mrr: r.vals[5].(int64)}
		if old, ok := in.lines[p]; !ok || old.before(ev) {
			in.lines[p] = ev
		}
		in.clients[p.client] = true
	}
	return nil
}

// resolveAccounts maps account ids to client ids.
func (in *Ingest) resolveAccounts(accounts []string) (map[string]int64, error) {
	return in.resolve("clients", "account_id", accounts)
}

var usageSpec = &spec{kind: "usage day", table: "usage_snapshots", key: []string{"client_id", "day"},
	cols: []string{"client_id", "day", "tools", "active_users", "seats"}, keyField: "day", mode: modeImmutable,
	fields: map[string]string{"client_id": "client", "day": "day", "tools": "tools", "active_users": "active_users", "seats": "seats"}}

// Usage stores usage days. A day stored with the same content is a no-op,
// with other content a conflict. Clients' engagement follows their latest
// day when the load ends.
func (in *Ingest) Usage(recs []pd.UsageRecord, base int) error {
	ok := in.begin("usage", base, len(recs), func(i int) []pd.Problem { return recs[i].Check(base + i) })
	clients := make([]string, len(recs))
	for i, r := range recs {
		clients[i] = r.Client
	}
	cids, err := in.resolveAccounts(clients)
	if err != nil {
		return err
	}
	rows := make([]row, 0, len(recs))
	for i, r := range recs {
		c := in.ref(cids, base+i, "client", r.Client, "client", &ok[i])
		if ok[i] {
			tools, _ := pd.ToolMask(r.Tools)
			rows = append(rows, row{index: base + i, vals: []any{c, r.Day, tools, int64(r.ActiveUsers), int64(r.Seats)}})
		}
	}
	created, _, err := in.upsert(usageSpec, rows)
	for _, r := range created {
		in.clients[r.vals[0].(int64)] = true
	}
	return err
}

var lineSpec = &spec{kind: "subscription line", table: "subscription_lines", key: []string{"client_id", "product_code"},
	cols: []string{"client_id", "product_code", "external_id", "quantity", "contacts", "email_send_limit",
		"billing_period", "commitment_months", "renewal_date", "auto_renew", "updated_at"},
	keyField: "id", hasID: true, mode: modeVersioned, version: "updated_at",
	unique: map[string]string{"external_id": "id"},
	fields: map[string]string{"client_id": "client", "product_code": "product", "external_id": "id", "quantity": "quantity",
		"contacts": "contacts", "email_send_limit": "email_send_limit", "billing_period": "billing_period",
		"commitment_months": "commitment_months", "renewal_date": "renewal_date", "auto_renew": "auto_renew", "updated_at": "updated_at"}}

// SubscriptionLines stores the terms of subscription lines, one per client
// and product: a newer version (updated_at) replaces the stored one, an
// older one is stale and ignored, the same version with other content is
// a conflict. A line's MRR and status come from its billing events.
func (in *Ingest) SubscriptionLines(recs []pd.SubscriptionLineRecord, base int) error {
	ok := in.begin("subscription_lines", base, len(recs), func(i int) []pd.Problem {
		recs[i].UpdatedAt = recs[i].UpdatedAt.UTC().Truncate(time.Microsecond)
		return recs[i].Check(base + i)
	})
	clients := make([]string, len(recs))
	for i, r := range recs {
		clients[i] = r.Client
	}
	cids, err := in.resolveAccounts(clients)
	if err != nil {
		return err
	}
	rows := make([]row, 0, len(recs))
	for i, r := range recs {
		c := in.ref(cids, base+i, "client", r.Client, "client", &ok[i])
		if !ok[i] {
			continue
		}
		p, _ := pd.ProductByCode(r.Product)
		limit := pd.EmailSendLimit(p.Edition, r.Contacts)
		if r.EmailSendLimit != nil {
			limit = *r.EmailSendLimit
		}
		auto := r.AutoRenew == nil || *r.AutoRenew
		rows = append(rows, row{index: base + i, vals: []any{c, r.Product, r.ID, int64(r.Quantity), r.Contacts, limit,
			r.BillingPeriod, int64(r.CommitmentMonths), r.RenewalDate, auto, r.UpdatedAt}})
	}
	created, updated, err := in.upsert(lineSpec, rows)
	for _, r := range append(created, updated...) {
		in.clients[r.vals[0].(int64)] = true
	}
	return err
}

var partnerSpec = &spec{kind: "partner", table: "partners", key: []string{"external_id"},
	cols:       []string{"external_id", "name", "country", "website", "tier_code", "crm_link_template", "partner_manager_id", "partner_consultant_id"},
	insertOnly: []string{"created_at"}, keyField: "id", hasID: true, mode: modeUpdate,
	fields: map[string]string{"external_id": "id", "tier_code": "tier", "partner_manager_id": "partner_manager", "partner_consultant_id": "partner_consultant"}}

// Partners upserts partners by id; a partner's tier is kept when left out.
func (in *Ingest) Partners(recs []pd.PartnerRecord, base int) error {
	ok := in.begin("partners", base, len(recs), func(i int) []pd.Problem { return recs[i].Check(base + i) })
	var staff []string
	for _, r := range recs {
		staff = append(staff, r.PartnerManager, r.PartnerConsultant)
	}
	sids, err := in.resolve("staff", "external_id", staff)
	if err != nil {
		return err
	}
	tiers := map[string]bool{}
	res, err := in.t.query(in.ctx, "SELECT code FROM tiers")
	if err != nil {
		return fmt.Errorf("read tiers: %w", err)
	}
	for res.Next() {
		var c string
		if err := res.Scan(&c); err != nil {
			res.Close()
			return err
		}
		tiers[c] = true
	}
	res.Close()
	rows := make([]row, 0, len(recs))
	for i, r := range recs {
		m := in.ref(sids, base+i, "partner_manager", r.PartnerManager, "staff member", &ok[i])
		c := in.ref(sids, base+i, "partner_consultant", r.PartnerConsultant, "staff member", &ok[i])
		if r.Tier != "" && !tiers[r.Tier] && !in.flagged(base+i, "tier") {
			in.problem(base+i, "tier", pd.ENotFound, "no tier has the code %q", r.Tier)
			ok[i] = false
		}
		if !ok[i] {
			continue
		}
		rw := row{index: base + i, vals: []any{r.ID, r.Name, r.Country, r.Website, r.Tier, r.CRMLinkTemplate, m, c, in.t.now}}
		if r.Tier == "" {
			rw.vals[4], rw.keep = "partner", []string{"tier_code"}
		}
		rows = append(rows, rw)
	}
	_, _, err = in.upsert(partnerSpec, rows)
	return err
}

var staffSpec = &spec{kind: "staff member", table: "staff", key: []string{"external_id"},
	cols:     []string{"external_id", "name", "email", "role", "description", "photo_url"},
	keyField: "id", hasID: true, mode: modeUpdate, fields: map[string]string{"external_id": "id"}}

// Staff upserts the vendor's staff by id.
func (in *Ingest) Staff(recs []pd.StaffRecord, base int) error {
	ok := in.begin("staff", base, len(recs), func(i int) []pd.Problem { return recs[i].Check(base + i) })
	rows := make([]row, 0, len(recs))
	for i, r := range recs {
		if ok[i] {
			rows = append(rows, row{index: base + i, vals: []any{r.ID, r.Name, r.Email, string(r.Role), r.Description, r.PhotoURL}})
		}
	}
	_, _, err := in.upsert(staffSpec, rows)
	return err
}

var certificationSpec = &spec{kind: "certification", table: "certifications", key: []string{"external_id"},
	cols:     []string{"external_id", "partner_id", "name", "holder", "earned_on", "expires_on"},
	keyField: "id", hasID: true, mode: modeUpdate, fields: map[string]string{"external_id": "id", "partner_id": "partner"}}

// Certifications upserts partners' certifications by id.
func (in *Ingest) Certifications(recs []pd.CertificationRecord, base int) error {
	ok := in.begin("certifications", base, len(recs), func(i int) []pd.Problem { return recs[i].Check(base + i) })
	partners := make([]string, len(recs))
	for i, r := range recs {
		partners[i] = r.Partner
	}
	pids, err := in.resolve("partners", "external_id", partners)
	if err != nil {
		return err
	}
	rows := make([]row, 0, len(recs))
	for i, r := range recs {
		if p := in.ref(pids, base+i, "partner", r.Partner, "partner", &ok[i]); ok[i] {
			rows = append(rows, row{index: base + i, vals: []any{r.ID, p, r.Name, r.Holder, r.EarnedOn, r.ExpiresOn}})
		}
	}
	_, _, err = in.upsert(certificationSpec, rows)
	return err
}

var clientSpec = &spec{kind: "client", table: "clients", key: []string{"account_id"},
	cols:       []string{"account_id", "name", "domain", "industry", "country", "employees", "account_url", "stripe_customer_id"},
	insertOnly: []string{"created_at"}, keyField: "id", hasID: true, mode: modeUpdate,
	unique: map[string]string{"stripe_customer_id": "stripe_customer_id"},
	fields: map[string]string{"account_id": "id"}}

// Clients upserts clients by account id.
func (in *Ingest) Clients(recs []pd.ClientRecord, base int) error {
	ok := in.begin("clients", base, len(recs), func(i int) []pd.Problem { return recs[i].Check(base + i) })
	rows := make([]row, 0, len(recs))
	for i, r := range recs {
		if !ok[i] {
			continue
		}
		var stripe any
		if r.StripeCustomerID != "" {
			stripe = r.StripeCustomerID
		}
		rows = append(rows, row{index: base + i, vals: []any{r.ID, r.Name, r.Domain, r.Industry, r.Country, int64(r.Employees), r.AccountURL, stripe, in.t.now}})
	}
	if _, _, err := in.upsert(clientSpec, rows); err != nil {
		return err
	}
	// A prospect of a confirmation link becomes this client (matched by
	// domain).
	domains := make([]string, 0, len(recs))
	for i, r := range recs {
		if ok[i] {
			domains = append(domains, r.Domain)
		}
	}
	return matchProspects(in.ctx, in.t, domains)
}

var relationshipSpec = &spec{kind: "relationship", table: "client_partners", key: []string{"client_id", "partner_id", "started_on"},
	cols:     []string{"client_id", "partner_id", "started_on", "relationship", "ended_on"},
	keyField: "started_on", hasID: true, mode: modeUpdate,
	fields: map[string]string{"client_id": "client", "partner_id": "partner"}}

// Relationships upserts partners' relationships with clients, by client,
// partner and start date. Setting ended_on ends services (audited); a
// client has at most one open relationship with a partner.
func (in *Ingest) Relationships(recs []pd.RelationshipRecord, base int) error {
	ok := in.begin("relationships", base, len(recs), func(i int) []pd.Problem { return recs[i].Check(base + i) })
	clients, partners := make([]string, len(recs)), make([]string, len(recs))
	for i, r := range recs {
		clients[i], partners[i] = r.Client, r.Partner
	}
	cids, err := in.resolveAccounts(clients)
	if err != nil {
		return err
	}
	pids, err := in.resolve("partners", "external_id", partners)
	if err != nil {
		return err
	}
	type pair struct{ client, partner int64 }
	var ids []int64
	for _, id := range cids {
		ids = append(ids, id)
	}
	open := map[pair]string{} // started_on of the open relationship
	if len(ids) > 0 {
		res, err := in.t.query(in.ctx, "SELECT client_id, partner_id, started_on FROM client_partners WHERE ended_on IS NULL AND "+
			in.t.d.inList("client_id"), in.t.d.listArg(ids))
		if err != nil {
			return fmt.Errorf("read relationships: %w", err)
		}
		for res.Next() {
			var p pair
			var d pd.Date
			if err := res.Scan(&p.client, &p.partner, &d); err != nil {
				res.Close()
				return err
			}
			open[p] = d.String()
		}
		res.Close()
	}
	rows := make([]row, 0, len(recs))
	var ended []endedRelation
	for i, r := range recs {
		c := in.ref(cids, base+i, "client", r.Client, "client", &ok[i])
		p := in.ref(pids, base+i, "partner", r.Partner, "partner", &ok[i])
		if !ok[i] {
			continue
		}
		k := pair{c.(int64), p.(int64)}
		since, isOpen := open[k]
		switch {
		case r.EndedOn.IsZero() && isOpen && since != r.StartedOn.String():
			in.problem(base+i, "started_on", pd.EConflict, "conflict: this client's relationship with the partner since %s is still open; end it first", since)
			continue
		case r.EndedOn.IsZero():
			open[k] = r.StartedOn.String()
		case isOpen && since == r.StartedOn.String():
			delete(open, k)
			ended = append(ended, endedRelation{partnerID: k.partner, clientID: k.client, client: r.Client, on: r.EndedOn})
		}
		rows = append(rows, row{index: base + i, vals: []any{k.client, k.partner, r.StartedOn, string(r.Relationship), r.EndedOn}})
	}
	if _, _, err := in.upsert(relationshipSpec, rows); err != nil {
		return err
	}
	in.ended = append(in.ended, ended...)
	return in.releaseComm(ended)
}

// releaseComm gives back the renewal communication the partners of ended
// relationships owned, one statement set per partner.
func (in *Ingest) releaseComm(ended []endedRelation) error {
	if len(ended) == 0 {
		return nil
	}
	byPartner := map[int64][]int64{}
	for _, e := range ended {
		byPartner[e.partnerID] = append(byPartner[e.partnerID], e.clientID)
	}
	prog, err := program(in.ctx, in.t)
	if err != nil {
		return err
	}
	for _, p := range slices.Sorted(maps.Keys(byPartner)) {
		if err := releaseComm(in.ctx, in.t, prog, p, byPartner[p]); err != nil {
			return err
		}
	}
	return nil
}

var renewalSpec = &spec{kind: "renewal", table: "renewals", key: []string{"client_id", "renewal_date", "contract_type"},
	cols: []string{"client_id", "renewal_date", "contract_type", "comm_owner", "comm_partner_id", "status", "renewal_manager_id",
		"current_mrr", "proposed_mrr", "proposed_contacts", "auto_renew"},
	keyField: "renewal_date", hasID: true, mode: modeUpdate,
	fields: map[string]string{"client_id": "client", "comm_partner_id": "comm_partner", "renewal_manager_id": "renewal_manager"}}

// Renewals upserts renewals by client, date and contract type. The
// communication owner and the status are kept when left out, since
// partners change them. A partner owner is one active partner of the
// client: the one the record names, else the one the renewal has, else
// the client's selling partner, or its managing partner with the lowest
// id (defaultPartner).
func (in *Ingest) Renewals(recs []pd.RenewalRecord, base int) error {
	ok := in.begin("renewals", base, len(recs), func(i int) []pd.Problem { return recs[i].Check(base + i) })
	clients, staff, owners := make([]string, len(recs)), make([]string, len(recs)), make([]string, len(recs))
	for i, r := range recs {
		clients[i], staff[i], owners[i] = r.Client, r.RenewalManager, r.CommPartner
	}
	cids, err := in.resolveAccounts(clients)
	if err != nil {
		return err
	}
	sids, err := in.resolve("staff", "external_id", staff)
	if err != nil {
		return err
	}
	pids, err := in.resolve("partners", "external_id", owners)
	if err != nil {
		return err
	}
	serves, defaults, err := in.clientPartners(cids)
	if err != nil {
		return err
	}
	rows := make([]row, 0, len(recs))
	var given []int64 // clients of renewals given to a partner the record does not name
	for i, r := range recs {
		c := in.ref(cids, base+i, "client", r.Client, "client", &ok[i])
		m := in.ref(sids, base+i, "renewal_manager", r.RenewalManager, "staff member", &ok[i])
		p := in.ref(pids, base+i, "comm_partner", r.CommPartner, "partner", &ok[i])
		if !ok[i] {
			continue
		}
		cid := c.(int64)
		switch {
		case p != nil && !serves[[2]int64{cid, p.(int64)}]:
			in.problem(base+i, "comm_partner", pd.EInvalid, "partner %q does not serve client %q", r.CommPartner, r.Client)
			continue
		case r.CommOwner == pd.OwnerPartner && p == nil && defaults[cid] == 0:
			in.problem(base+i, "comm_owner", pd.EInvalid, "no partner serves client %q to own the communication", r.Client)
			continue
		}
		auto := r.AutoRenew == nil || *r.AutoRenew
		rw := row{index: base + i, vals: []any{c, r.RenewalDate, r.ContractType, r.CommOwner, p, r.Status, m,
			r.CurrentMRR, r.ProposedMRR, r.ProposedContacts, auto}}
		switch {
		case r.CommOwner == "":
			rw.vals[3], rw.keep = pd.OwnerVendor, append(rw.keep, "comm_owner", "comm_partner_id")
		case r.CommOwner == pd.OwnerPartner && p == nil:
			// A new renewal gets the default's partner; a stored one keeps
			// its own, or gets it below if the vendor owned it.
			rw.vals[4], rw.keep = defaults[cid], append(rw.keep, "comm_partner_id")
			given = append(given, cid)
		}
		if r.Status == "" {
			rw.vals[5], rw.keep = pd.RenewalPending, append(rw.keep, "status")
		}
		rows = append(rows, rw)
	}
	if _, _, err = in.upsert(renewalSpec, rows); err != nil {
		return err
	}
	// A stored renewal the vendor owned, given to a partner the record
	// does not name, has kept no partner: it gets the default's.
	if len(given) > 0 {
		if _, err := in.t.exec(in.ctx, `UPDATE renewals SET comm_partner_id = `+defaultPartner("renewals.client_id")+`
			WHERE comm_owner = 'partner' AND comm_partner_id IS NULL AND `+in.t.d.inList("client_id"), in.t.d.listArg(given)); err != nil {
			return fmt.Errorf("store renewals' owning partners: %w", err)
		}
	}
	return nil
}

// clientPartners returns which partners serve the clients (active
// relationships, by client and partner id) and each client's default
// partner (defaultPartner; absent when none serves it).
func (in *Ingest) clientPartners(clients map[string]int64) (map[[2]int64]bool, map[int64]int64, error) {
	serves, defaults := map[[2]int64]bool{}, map[int64]int64{}
	ids := slices.Collect(maps.Values(clients))
	if len(ids) == 0 {
		return serves, defaults, nil
	}
	res, err := in.t.query(in.ctx, `SELECT cp.client_id, cp.partner_id, CASE WHEN cp.partner_id = `+defaultPartner("cp.client_id")+` THEN 1 ELSE 0 END
		FROM client_partners cp WHERE cp.ended_on IS NULL AND `+in.t.d.inList("cp.client_id"), in.t.d.listArg(ids))
	if err != nil {
		return nil, nil, fmt.Errorf("read the clients' partners: %w", err)
	}
	defer res.Close()
	for res.Next() {
		var c, p, isDefault int64
		if err := res.Scan(&c, &p, &isDefault); err != nil {
			return nil, nil, fmt.Errorf("read the clients' partners: %w", err)
		}
		serves[[2]int64{c, p}] = true
		if isDefault == 1 {
			defaults[c] = p
		}
	}
	return serves, defaults, res.Err()
}

// ClientByStripeCustomer returns the account id of the client with a Stripe
// customer id (422 when none has it, so that Stripe retries the delivery
// once the client is imported).
func (in *Ingest) ClientByStripeCustomer(customer string) (string, error) {
	var account string
	err := in.t.queryRow(in.ctx, "SELECT account_id FROM clients WHERE stripe_customer_id = ?", customer).Scan(&account)
	if err == sql.ErrNoRows {
		return "", &pd.BatchError{Problems: []pd.Problem{pd.Problemf(0, "customer", pd.ENotFound,
			"no client has the Stripe customer id %q", customer)}}
	} else if err != nil {
		return "", fmt.Errorf("find the client of Stripe customer %s: %w", customer, err)
	}
	return account, nil
}
