package web

import (
	"net/http"
	"net/url"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
)

// A partner's directory profile as its admins edit it, its leads, and the
// vendor staff's approval queue and directory settings.

type profileFormView struct {
	Profile   pd.Profile
	Services  []string // the program's
	Approval  bool
	Published bool
	Notice    string
	Error     string
}

func (s *Server) profileForm(w http.ResponseWriter, r *http.Request) error {
	prof, published, err := s.db.OwnProfile(r.Context())
	if err != nil {
		return err
	}
	return s.renderProfileForm(w, r, 0, &profileFormView{Profile: prof, Published: published, Notice: r.URL.Query().Get("notice")})
}

func (s *Server) renderProfileForm(w http.ResponseWriter, r *http.Request, code int, pv *profileFormView) error {
	set, err := s.db.DirectorySettings(r.Context())
	if err != nil {
		return err
	}
	pv.Services, pv.Approval = set.Services, set.Approval
	v, err := s.dashboard(r, "profile", pv)
	if err != nil {
		return err
	}
	if code != 0 {
		w.WriteHeader(code)
	}
	s.render(w, r, "profile", v)
	return nil
}

func (s *Server) saveProfile(w http.ResponseWriter, r *http.Request) error {
	prof := pd.Profile{Description: r.PostFormValue("description"), Services: r.PostForm["service"],
		Industries: lines(r.PostFormValue("industries")), Countries: lines(r.PostFormValue("countries")),
		Languages: lines(r.PostFormValue("languages")), Website: r.PostFormValue("website"),
		LogoURL: r.PostFormValue("logo_url"), LeadEmail: r.PostFormValue("lead_email")}
	state, err := s.db.SaveProfile(r.Context(), prof)
	if err != nil {
		if pd.ErrorCode(err) != pd.EInvalid {
			return err
		}
		cur, published, lerr := s.db.OwnProfile(r.Context())
		if lerr != nil {
			return lerr
		}
		prof.Slug, prof.Name = cur.Slug, cur.Name
		return s.renderProfileForm(w, r, http.StatusBadRequest, &profileFormView{Profile: prof, Published: published, Error: s.errorText(r, err)})
	}
	http.Redirect(w, r, r.URL.Path+"?notice="+state, http.StatusSeeOther)
	return nil
}

func (s *Server) withdrawOwnProfile(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.WithdrawProfile(r.Context(), pathID(r, "partner")); err != nil {
		return err
	}
	http.Redirect(w, r, "/partners/"+r.PathValue("partner")+"/profile?notice=withdrawn", http.StatusSeeOther)
	return nil
}

// lines splits a textarea into its non-blank lines (commas separate too).
func lines(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' })
}

type leadsView struct {
	Leads    []pd.Lead
	Statuses []string
	Status   string
	Total    int
	PageNo   int
	Pages    int
	URL      *url.URL
	URLPath  string
}

func (s *Server) leadsPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, size, err := parsePage(q)
	if err != nil {
		return err
	}
	status := q.Get("status")
	ls, total, err := s.db.ListLeads(r.Context(), status, (page-1)*size, size)
	if err != nil {
		return err
	}
	v, err := s.dashboard(r, "leads", &leadsView{Leads: ls, Statuses: pd.LeadStatuses, Status: status, Total: total,
		PageNo: page, Pages: (total + size - 1) / size, URL: r.URL, URLPath: r.URL.Path})
	if err != nil {
		return err
	}
	s.render(w, r, "leads", v)
	return nil
}

func (s *Server) setLeadStatus(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.SetLeadStatus(r.Context(), pathID(r, "lead"), r.PostFormValue("status")); err != nil {
		return err
	}
	http.Redirect(w, r, "/partners/"+r.PathValue("partner")+"/leads", http.StatusSeeOther)
	return nil
}

// The approval queue, for vendor staff.

func (s *Server) profileQueue(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.db.PendingProfiles(r.Context())
	if err != nil {
		return err
	}
	return s.renderAdmin(w, r, 0, "directory", "admin_directory", dict("Profiles", ps, "Notice", r.URL.Query().Get("notice")))
}

func (s *Server) reviewProfile(w http.ResponseWriter, r *http.Request) error {
	decision := r.PostFormValue("decision")
	var err error
	switch decision {
	case "approve", "reject":
		err = s.db.ReviewProfile(r.Context(), pathID(r, "partner"), decision == "approve")
	case "withdraw":
		err = s.db.WithdrawProfile(r.Context(), pathID(r, "partner"))
	default:
		err = pd.Errorf(pd.EInvalid, "Unknown decision.")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/directory?notice="+decision, http.StatusSeeOther)
	return nil
}

// saveDirectorySettings is the directory's form on the program settings
// page.
func (s *Server) saveDirectorySettings(w http.ResponseWriter, r *http.Request) error {
	set := pd.DirectorySettings{Approval: r.PostFormValue("approval") != "", Services: lines(r.PostFormValue("services"))}
	if err := s.db.UpdateDirectorySettings(r.Context(), set); err != nil {
		if pd.ErrorCode(err) != pd.EInvalid {
			return err
		}
		cur, perr := s.db.ProgramSettings(r.Context())
		if perr != nil {
			return perr
		}
		pv := programFormOf(cur)
		if pv.SignIn, perr = s.signInSettings(r, false); perr != nil {
			return perr
		}
		pv.Directory = &directorySettingsView{Approval: set.Approval, Services: r.PostFormValue("services"), Error: s.errorText(r, err)}
		return s.renderAdmin(w, r, http.StatusBadRequest, "program", "admin_program", pv)
	}
	http.Redirect(w, r, "/admin/program?notice=directory#directory", http.StatusSeeOther)
	return nil
}

type directorySettingsView struct {
	Approval bool
	Services string // one per line
	Notice   bool
	Error    string
}

func (s *Server) directorySettings(r *http.Request, saved bool) (*directorySettingsView, error) {
	set, err := s.db.DirectorySettings(r.Context())
	if err != nil {
		return nil, err
	}
	return &directorySettingsView{Approval: set.Approval, Services: strings.Join(set.Services, "\n"), Notice: saved}, nil
}
