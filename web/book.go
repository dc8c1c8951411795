package web

import (
	"net/http"
)

// bookPage is the partner manager's book: where partner managers and
// consultants land, their partners sorted by what needs attention
// (store.Book). Each line links to the partner's dashboard, read-only.
func (s *Server) bookPage(w http.ResponseWriter, r *http.Request) error {
	b, err := s.db.Book(r.Context())
	if err != nil {
		return err
	}
	return s.renderAdmin(w, r, 0, "book", "book", b)
}
