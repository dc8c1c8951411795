package web

import "net/http"

// teamPage is the dashboard's Team tab: the partner's manager and
// consultant at the vendor.
func (s *Server) teamPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.dashboard(r, "clients", nil)
	if err != nil {
		return err
	}
	v.Data = v.Partner
	s.render(w, r, "team", v)
	return nil
}
