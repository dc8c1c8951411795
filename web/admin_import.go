package web

import (
	"net/http"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/csvimport"
	"github.com/partnerdesk/partnerdesk/metrics"
)

// The CSV upload page, for program admins: the same import as the command
// line's, all or nothing, with a dry run and a report of the bad rows (the
// import's first pd.MaxProblems, and how many there are).

type importView struct {
	Kinds   []string
	Columns map[string][]string
	Kind    string
	DryRun  bool
	Report  *csvimport.Report
	Error   string
}

func (s *Server) importView(r *http.Request) (*view, *importView, error) {
	if err := s.db.CanIngest(r.Context()); err != nil {
		return nil, nil, err
	}
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return nil, nil, err
	}
	iv := &importView{Kinds: csvimport.Kinds, Columns: map[string][]string{}}
	for _, k := range csvimport.Kinds {
		iv.Columns[k] = csvimport.Columns(k)
	}
	return &view{Program: prog, Nav: "import", Data: iv}, iv, nil
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request) error {
	v, iv, err := s.importView(r)
	if err != nil {
		return err
	}
	iv.DryRun = true
	s.render(w, r, "import", v)
	return nil
}

func (s *Server) importUpload(w http.ResponseWriter, r *http.Request) error {
	v, iv, err := s.importView(r)
	if err != nil {
		return err
	}
	iv.Kind, iv.DryRun = r.PostFormValue("kind"), r.PostFormValue("dry_run") == "1"
	file, _, err := r.FormFile("file")
	if err != nil {
		iv.Error = "nofile"
		w.WriteHeader(http.StatusBadRequest)
		s.render(w, r, "import", v)
		return nil
	}
	defer file.Close()
	rep, err := csvimport.Import(r.Context(), s.db, iv.Kind, file, csvimport.Options{DryRun: iv.DryRun})
	if err != nil {
		if pd.ErrorCode(err) != pd.EInvalid {
			return err
		}
		iv.Error = s.errorText(r, err)
		w.WriteHeader(http.StatusBadRequest)
		s.render(w, r, "import", v)
		return nil
	}
	s.cfg.Metrics.Ingest(metrics.DoorCSV, rep.Rows, len(rep.Problems), rep.DryRun)
	iv.Report = rep
	if len(rep.Problems) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.render(w, r, "import", v)
	return nil
}
