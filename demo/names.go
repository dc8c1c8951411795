package demo

import (
	"strconv"
	"strings"
)

// Word lists for names that look real. Client names come from a bijection
// between client ids and the product of the lists (see clientName), so
// they are unique up to ~1 million clients without a lookup table.

var firstNames = []string{
	"Camille", "Léa", "Hugo", "Louis", "Chloé", "Manon", "Jules", "Lucas", "Emma", "Inès",
	"Sarah", "Thomas", "Nicolas", "Julie", "Antoine", "Claire", "Marie", "Paul", "Elodie", "Maxime",
	"Anna", "Lukas", "Jonas", "Lena", "Felix", "Sophie", "Jürgen", "Katrin", "Moritz", "Hannah",
	"Oliver", "Amelia", "Harry", "Isla", "George", "Olivia", "James", "Emily", "Jack", "Grace",
	"Liam", "Noah", "Ava", "Mia", "Ethan", "Sofia", "Mason", "Zoe", "Daniel", "Ella",
	"Lucía", "Pablo", "Martina", "Alejandro", "Giulia", "Marco", "Francesca", "Luca", "Sanne", "Daan",
	"Femke", "Bram", "Astrid", "Erik", "Ingrid", "Nils", "Aoife", "Conor", "Priya", "Arjun",
	"Mei", "Kenji", "Yara", "Omar", "Amira", "Karim", "Ana", "João", "Beatriz", "Tiago",
}

var lastNames = []string{
	"Martin", "Bernard", "Dubois", "Laurent", "Lefèvre", "Moreau", "Girard", "Fontaine", "Rousseau", "Blanc",
	"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Wagner", "Koch", "Richter",
	"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Johnson", "Roberts",
	"Walker", "Wright", "Hughes", "Green", "Hall", "Clarke", "Miller", "Davis", "Garcia", "Anderson",
	"García", "Fernández", "López", "Martínez", "Sánchez", "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi",
	"de Vries", "Jansen", "Bakker", "Visser", "Andersson", "Johansson", "Lindqvist", "Nilsson", "Murphy", "O'Brien",
	"Kelly", "Patel", "Sharma", "Tanaka", "Sato", "Haddad", "Nasser", "Silva", "Santos", "Costa",
}

var jobTitles = []string{
	"CEO", "Founder", "Managing Director", "Marketing Manager", "Head of Marketing", "CMO",
	"Sales Director", "Head of Sales", "Sales Operations Manager", "Customer Success Lead",
	"Head of Customer Service", "Operations Director", "COO", "IT Manager", "Digital Marketing Specialist",
	"Growth Lead", "Content Manager", "Office Manager", "Finance Director", "RevOps Manager",
}

// Client names: <prefix><root> <business>[ <form>].
var clientPrefixes = []string{
	"Alder", "Amber", "Apex", "Arbor", "Ash", "Aspen", "Aurora", "Bay", "Beacon", "Birch",
	"Black", "Blue", "Bright", "Brook", "Cedar", "Cinder", "Clear", "Cloud", "Coast", "Copper",
	"Coral", "Crest", "Crystal", "Dawn", "Deep", "Delta", "Eagle", "East", "Echo", "Elm",
	"Ember", "Falcon", "Fern", "Fox", "Frost", "Glen", "Gold", "Granite", "Green", "Grey",
	"Harbor", "Hawk", "Hazel", "High", "Iron", "Ivy", "Jade", "Juniper", "Kestrel", "Lake",
	"Lark", "Laurel", "Lime", "Linden", "Lunar", "Maple", "Meadow", "Mill", "Mint", "Moss",
	"North", "Nova", "Oak", "Ocean", "Olive", "Onyx", "Orchid", "Pearl", "Pine", "Polar",
	"Quartz", "Raven", "Red", "Ridge", "River", "Rock", "Rose", "Sage", "Sand", "Silver",
	"Sky", "Snow", "Solar", "South", "Spruce", "Star", "Stone", "Summit", "Sun", "Swift",
	"Thistle", "Tide", "Timber", "True", "Vale", "West", "Willow", "Wind", "Wolf", "Zephyr",
}

var clientRoots = []string{
	"bay", "bridge", "brook", "crest", "dale", "field", "ford", "gate", "glen", "grove",
	"haven", "hill", "hurst", "land", "leaf", "light", "line", "mark", "mere", "mont",
	"moor", "park", "path", "peak", "point", "port", "ridge", "rock", "shore", "side",
	"spring", "stead", "stone", "ton", "vale", "view", "water", "way", "well", "wick",
	"wood", "works", "worth", "cliff", "haus",
}

// clientBusinesses pairs the business word of a name with its industry.
var clientBusinesses = []struct{ word, industry string }{
	{"Logistics", "Transportation & Logistics"}, {"Freight", "Transportation & Logistics"},
	{"Foods", "Food & Beverage"}, {"Coffee", "Food & Beverage"}, {"Brewing", "Food & Beverage"},
	{"Analytics", "Computer Software"}, {"Software", "Computer Software"}, {"Systems", "Information Technology & Services"},
	{"Networks", "Telecommunications"}, {"Dental", "Health Care"}, {"Clinics", "Health Care"},
	{"Pharma", "Pharmaceuticals"}, {"Architects", "Architecture & Planning"}, {"Construction", "Construction"},
	{"Builders", "Construction"}, {"Realty", "Real Estate"}, {"Properties", "Real Estate"},
	{"Capital", "Financial Services"}, {"Insurance", "Insurance"}, {"Legal", "Legal Services"},
	{"Consulting", "Management Consulting"}, {"Education", "Education"}, {"Academy", "E-Learning"},
	{"Travel", "Leisure & Travel"}, {"Hotels", "Hospitality"}, {"Fitness", "Health, Wellness & Fitness"},
	{"Outdoor", "Sporting Goods"}, {"Apparel", "Apparel & Fashion"}, {"Interiors", "Retail"},
	{"Furniture", "Furniture"}, {"Energy", "Renewables & Environment"}, {"Solar", "Renewables & Environment"},
	{"Manufacturing", "Industrial Manufacturing"}, {"Robotics", "Industrial Automation"},
	{"Biotech", "Biotechnology"}, {"Media", "Media Production"}, {"Events", "Events Services"},
	{"Recruiting", "Staffing & Recruiting"}, {"Security", "Computer & Network Security"}, {"Pets", "Consumer Goods"},
}

var clientForms = []string{"", " Group", " & Co", " Partners", " Studio", " Holdings"}

// Partner (agency) names: <prefix><root> <kind>.
var agencyPrefixes = []string{
	"Blue", "Bright", "Clear", "Deep", "Green", "High", "Iron", "North", "Open", "Red",
	"Silver", "Smart", "Swift", "True", "West", "Wild", "Gold", "Bold", "Keen", "Next",
	"Pixel", "Signal", "Spark", "Summit", "Tall", "Velvet", "Amber", "Cobalt", "Lumen", "Nimble",
	"Orbit", "Prism", "Rapid", "Scarlet", "Solid", "Sound", "Stellar", "Urban", "Vivid", "Zen",
}

var agencyRoots = []string{
	"bridge", "field", "gate", "harbor", "lake", "light", "line", "mark", "path", "peak",
	"point", "river", "rock", "sail", "side", "stone", "wave", "wind", "wood", "works",
	"fern", "fox", "hive", "loop", "mill", "nest", "pine", "shift", "spring", "tide",
}

var agencyKinds = []string{
	"Digital", "Agency", "Marketing", "Consulting", "Growth", "Partners", "Labs", "Studio", "Media", "Solutions",
	"Interactive", "Group", "Collective", "Advisors", "Creative", "Inbound", "Revenue", "Strategy", "Works", "& Co",
}

// demoPartners are the first three partners, fixed so that their logins are
// the same whatever the seed.
var demoPartners = []struct{ name, country string }{
	{"Brightwave Digital", "FR"},
	{"Northpeak Agency", "GB"},
	{"Bluefern Marketing", "DE"},
}

// demoPeople sign in as the demo partners' admin and employee.
var demoPeople = [][2]string{
	{"Claire Dubois", "Hugo Martin"},
	{"Oliver Hughes", "Grace Walker"},
	{"Katrin Weber", "Jonas Becker"},
}

// Countries, weighted like a European-headquartered program.
var countries = []struct {
	code   string
	weight int
	tld    string
	form   string // a usual legal form
}{
	{"FR", 16, "fr", "SAS"}, {"DE", 14, "de", "GmbH"}, {"GB", 14, "co.uk", "Ltd"}, {"US", 14, "com", "Inc."},
	{"ES", 7, "es", "S.L."}, {"NL", 7, "nl", "B.V."}, {"IT", 6, "it", "S.r.l."}, {"BE", 4, "be", "SRL"},
	{"SE", 3, "se", "AB"}, {"CH", 3, "ch", "AG"}, {"IE", 3, "ie", "Ltd"}, {"CA", 3, "ca", "Inc."},
	{"AU", 2, "com.au", "Pty Ltd"}, {"DK", 2, "dk", "ApS"}, {"PT", 2, "pt", "Lda"},
}

var countryWeightTotal = func() int {
	n := 0
	for _, c := range countries {
		n += c.weight
	}
	return n
}()

var certificationNames = []string{
	"Solutions Partner Certification", "Inbound Marketing", "Marketing Software", "Sales Software",
	"Service Hub Implementation", "Platform Consulting", "Revenue Operations", "Content Hub Implementation",
}

var staffDescriptions = map[string][]string{
	"program_admin": {
		"Runs the partner program: tiers, reviews and the rules behind your tier credit.",
		"Keeps the program's data, reports and access in order and answers questions about your tier.",
	},
	"partner_manager": {
		"Plans your growth with you: quarterly business reviews, tier goals and co-selling with our sales team.",
		"Your strategic contact: helps you win new clients, reach the next tier and meet the right people at Nimbus.",
		"Works with your leadership on pipeline, joint deals and the investments that move you up a tier.",
	},
	"partner_consultant": {
		"Helps your team deliver: onboarding best practices, implementation reviews and technical enablement.",
		"Your go-to expert for product questions, client onboarding plans and certification coaching.",
		"Reviews tricky implementations with your consultants and shares what works across other partners.",
	},
	"renewal_manager": {
		"Coordinates renewals and contract changes with your clients and keeps you posted on every decision.",
		"Handles renewal quotes, contact tier upgrades and email overages for the clients assigned to them.",
	},
}

// crmTemplates are the CRM link styles partners use; {slug} and {n} are
// filled per partner, the rest by pd.Partner.CRMLink per client.
var crmTemplates = []string{
	"https://crm.example.com/companies?domain={domain}",
	"https://pipeline.example.net/organizations/search?q={name}",
	"https://{slug}.crm-cloud.example/accounts/{account_id}",
	"https://app.crmdesk.example/portal/{n}/companies?search={domain}",
}

var asciiFold = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ä", "a", "ã", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"í", "i", "ï", "i", "î", "i", "ñ", "n", "ó", "o", "ô", "o", "ö", "o", "õ", "o", "ú", "u", "ü", "u",
	"û", "u", "ß", "ss", "'", "", " ", "",
)

// emailLocal turns "Léa de Vries" into "lea.devries".
func emailLocal(first, last string) string {
	return asciiFold.Replace(strings.ToLower(first)) + "." + asciiFold.Replace(strings.ToLower(last))
}

// slug turns "Bluefern Marketing" into "bluefern-marketing".
func slug(s string) string {
	s = asciiFold.Replace(strings.ToLower(strings.ReplaceAll(s, " ", "-")))
	var b strings.Builder
	dash := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// compact turns "Bluefern Marketing & Co" into "bluefernmarketingandco".
func compact(s string) string {
	return strings.ReplaceAll(slug(strings.ReplaceAll(s, "&", "and")), "-", "")
}

// namePermutation maps 0..n-1 onto itself, one to one, so that consecutive
// ids get unrelated names: i -> (a*i + b) mod n with gcd(a, n) = 1.
type namePermutation struct{ a, b, n uint64 }

func newNamePermutation(n uint64, r uint64) namePermutation {
	a := r%n | 1
	for gcd(a, n) != 1 {
		a += 2
	}
	return namePermutation{a: a, b: (r >> 20) % n, n: n}
}

func (p namePermutation) at(i uint64) uint64 { return (p.a*(i%p.n) + p.b) % p.n }

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// clientName is client i's name, domain stem and industry; unique for
// i below the product of the list sizes, numbered beyond it.
func clientName(perm namePermutation, i uint64) (name, stem, industry string) {
	k := perm.at(i)
	f := clientForms[k%uint64(len(clientForms))]
	k /= uint64(len(clientForms))
	bz := clientBusinesses[k%uint64(len(clientBusinesses))]
	k /= uint64(len(clientBusinesses))
	root := clientRoots[k%uint64(len(clientRoots))]
	k /= uint64(len(clientRoots))
	pre := clientPrefixes[k%uint64(len(clientPrefixes))]
	name = pre + root + " " + bz.word + f
	if round := i / perm.n; round > 0 {
		name += " " + strconv.FormatUint(round+1, 10)
	}
	return name, compact(name), bz.industry
}

var clientNameSpace = uint64(len(clientForms) * len(clientBusinesses) * len(clientRoots) * len(clientPrefixes))

var agencyNameSpace = uint64(len(agencyPrefixes) * len(agencyRoots) * len(agencyKinds))

func agencyName(perm namePermutation, i uint64) string {
	k := perm.at(i)
	kind := agencyKinds[k%uint64(len(agencyKinds))]
	k /= uint64(len(agencyKinds))
	root := agencyRoots[k%uint64(len(agencyRoots))]
	k /= uint64(len(agencyRoots))
	name := agencyPrefixes[k%uint64(len(agencyPrefixes))] + root + " " + kind
	if round := i / perm.n; round > 0 {
		name += " " + strconv.FormatUint(round+1, 10)
	}
	return name
}
