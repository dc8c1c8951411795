package partnerdesk

// Assignment changes which of a partner's clients one of its employees
// looks after: a partner admin assigns (or, with Remove, unassigns) a set
// of its active clients at once.
type Assignment struct {
	UserID    int64
	ClientIDs []int64
	Remove    bool
}

// MaxAssignedAtOnce bounds one assignment: a page of the Clients table.
const MaxAssignedAtOnce = 500

// Validate rejects an assignment the store cannot apply.
func (a Assignment) Validate() error {
	if a.UserID <= 0 {
		return Errorf(EInvalid, "Choose an employee.")
	}
	if len(a.ClientIDs) == 0 {
		return Errorf(EInvalid, "Select at least one client.")
	}
	if len(a.ClientIDs) > MaxAssignedAtOnce {
		return Errorf(EInvalid, "Assign at most %d clients at once.", MaxAssignedAtOnce)
	}
	for _, id := range a.ClientIDs {
		if id <= 0 {
			return Errorf(EInvalid, "Unknown client %d.", id)
		}
	}
	return nil
}

// AssignedClient is one client assigned to one of a partner's users (the
// users page lists them under each employee).
type AssignedClient struct {
	UserID    int64
	ClientID  int64
	AccountID string
	Name      string
}
