package gen

// The word pools below are invented: provider names and the places of the
// home region are made up, domains use the reserved .example top-level
// domain (RFC 2606), and foreign places are real cities chosen for their
// letters (Ł, ü, ø, æ, ș), which search has to fold.

// provider is a publisher: its name and domain, how its article URLs look
// (urlStyle, see articleURL) and the host of its images.
type provider struct {
	name, domain, imgHost string
	urlStyle              int
	lang                  string // "" for English, "zh" or "ja"
}

// providers are listed most frequent first: the draw is Zipf-like over
// this order, as a real feed has a few big publishers and a long tail.
var providers = []provider{
	{name: "Bayview Tribune", domain: "bayviewtribune.example", imgHost: "img.bayviewtribune.example", urlStyle: 4},
	{name: "The Civic Dispatch", domain: "civicdispatch.example", imgHost: "www.civicdispatch.example", urlStyle: 7},
	{name: "Northbridge Herald", domain: "northbridgeherald.example", imgHost: "media.northbridgeherald.example", urlStyle: 4},
	{name: "Greystone Business Daily", domain: "greystonebusiness.example", imgHost: "www.greystonebusiness.example", urlStyle: 2},
	{name: "Harbourline Health", domain: "harbourlinehealth.example", imgHost: "img.harbourlinehealth.example", urlStyle: 0},
	{name: "Kestrel Tech Weekly", domain: "kestreltech.example", imgHost: "cdn.kestreltech.example", urlStyle: 6},
	{name: "Meridian Science Review", domain: "meridianscience.example", imgHost: "meridianscience.example", urlStyle: 5},
	{name: "The Calder Ledger", domain: "calderledger.example", imgHost: "calderledger.example", urlStyle: 3},
	{name: "Fenwick Sports Wire", domain: "fenwicksports.example", imgHost: "www.fenwicksports.example", urlStyle: 6},
	{name: "Polar Current", domain: "polarcurrent.example", imgHost: "www.polarcurrent.example", urlStyle: 1},
	{name: "Ashford Evening Post", domain: "ashfordpost.example", imgHost: "images.ashfordpost.example", urlStyle: 4},
	{name: "Capital Wire Service", domain: "capitalwire.example", imgHost: "photos.capitalwire.example", urlStyle: 7},
	{name: "Digital Health Today", domain: "digitalhealthtoday.example", imgHost: "www.digitalhealthtoday.example", urlStyle: 0},
	{name: "The Riverside Courier", domain: "riversidecourier.example", imgHost: "riversidecourier.example", urlStyle: 3},
	{name: "Lakeshore Daily News", domain: "lakeshoredaily.example", imgHost: "img.lakeshoredaily.example", urlStyle: 1},
	{name: "GreenGrid Energy News", domain: "greengrid.example", imgHost: "greengrid.example", urlStyle: 5},
	{name: "Coastal Observer", domain: "coastalobserver.example", imgHost: "media.coastalobserver.example", urlStyle: 0},
	{name: "Metro Transit Journal", domain: "metrotransitjournal.example", imgHost: "metrotransitjournal.example", urlStyle: 2},
	{name: "Summit Markets Report", domain: "summitmarkets.example", imgHost: "www.summitmarkets.example", urlStyle: 2},
	{name: "Westmarch Chronicle", domain: "westmarchchronicle.example", imgHost: "img.westmarchchronicle.example", urlStyle: 4},
	{name: "Open Lab Notes", domain: "openlabnotes.example", imgHost: "openlabnotes.example", urlStyle: 5},
	{name: "Gazeta Łódzka", domain: "gazetalodzka.example", imgHost: "foto.gazetalodzka.example", urlStyle: 3},
	{name: "Pinewood Gazette", domain: "pinewoodgazette.example", imgHost: "pinewoodgazette.example", urlStyle: 1},
	{name: "Zürcher Abendblatt", domain: "zuercher-abendblatt.example", imgHost: "bilder.zuercher-abendblatt.example", urlStyle: 6},
	{name: "Eastgate Weekly", domain: "eastgateweekly.example", imgHost: "eastgateweekly.example", urlStyle: 0},
	{name: "東都新聞", domain: "totoshimbun.example", imgHost: "img.totoshimbun.example", urlStyle: 8, lang: "ja"},
	{name: "Farm & Field", domain: "farmandfield.example", imgHost: "farmandfield.example", urlStyle: 1},
	{name: "The Policy Brief", domain: "policybrief.example", imgHost: "www.policybrief.example", urlStyle: 7},
	{name: "华南晨报", domain: "huananchenbao.example", imgHost: "pic.huananchenbao.example", urlStyle: 8, lang: "zh"},
	{name: "Le Courrier de Lyon", domain: "courrierdelyon.example", imgHost: "www.courrierdelyon.example", urlStyle: 3},
	{name: "Campus Ledger", domain: "campusledger.example", imgHost: "campusledger.example", urlStyle: 5},
	{name: "Diario del Sur", domain: "diariodelsur.example", imgHost: "fotos.diariodelsur.example", urlStyle: 7},
	{name: "Silicon Fen Tech", domain: "siliconfentech.example", imgHost: "siliconfentech.example", urlStyle: 6},
	{name: "Nordlys Avis", domain: "nordlysavis.example", imgHost: "bilder.nordlysavis.example", urlStyle: 4},
	{name: "Kraków Business Review", domain: "krakowbusiness.example", imgHost: "krakowbusiness.example", urlStyle: 2},
	{name: "Parkside Arts Review", domain: "parksidearts.example", imgHost: "parksidearts.example", urlStyle: 5},
}

// phrase is a headline subject and whether it takes a plural verb.
type phrase struct {
	text   string
	plural bool
}

func one(s string) phrase  { return phrase{s, false} }
func many(s string) phrase { return phrase{s, true} }

// category is a section of the feed with the words its stories use.
type category struct {
	name     string
	weight   float64
	subjects []phrase
	objects  []string // lower-case noun phrases
	topics   []string // most popular first
}

var categories = []category{
	{"news", 22,
		[]phrase{one("City council"), one("Harbour authority"), many("Police"), one("Fire service"), many("Residents"), many("County officials"), one("The mayor"), one("Local charity"), one("Water company"), one("Housing association")},
		[]string{"new cycle lane plan", "ferry terminal", "night bus service", "library opening hours", "flood defences", "road repairs", "park renovation", "housing scheme", "parking charges", "street lighting upgrade", "tram depot", "bridge inspection"},
		[]string{"Local Government", "Transport", "Housing", "Public Safety", "Cycling", "Urban Planning", "Flooding", "Infrastructure", "Community", "Policing", "Water Supply", "Public Transport", "Libraries", "Parks", "Road Safety", "Waste Collection", "Night Buses", "Ferries", "Planning Permission", "Council Budget", "Trams"}},
	{"business", 14,
		[]phrase{one("Battery start-up"), one("Regional airport"), one("Supermarket chain"), one("Central bank"), one("Shipping group"), one("Logistics firm"), one("Family brewery"), one("Chip maker"), one("Insurer"), one("Retail group")},
		[]string{"quarterly results", "sodium-ion cell factory", "300 new jobs", "new distribution centre", "interest rate decision", "merger talks", "four-day week trial", "price cuts", "export orders", "pay deal", "share buyback"},
		[]string{"Startups", "Retail", "Interest Rates", "Inflation", "Jobs", "Manufacturing", "Mergers and Acquisitions", "Energy Prices", "Exports", "Supply Chains", "Small Business", "Banking", "Aviation", "Tourism", "Venture Capital", "Earnings", "Trade", "Logistics", "Consumer Spending", "Labour Market"}},
	{"politics", 12,
		[]phrase{one("Parliament committee"), one("Opposition leader"), one("Finance minister"), one("Electoral commission"), many("Coalition partners"), one("Regional assembly"), one("Prime minister"), one("Constitutional court"), many("Independent candidates"), one("Ombudsman")},
		[]string{"inquiry into facial recognition", "budget vote", "voting age reform", "lobbying rules", "spending review", "electoral boundaries", "freedom of information bill", "coalition agreement", "local elections", "asylum policy"},
		[]string{"Elections", "Parliament", "Privacy", "Budget", "Democracy", "Lobbying", "Transparency", "Immigration", "Civil Liberties", "Public Spending", "Devolution", "Constitutional Law", "Polling", "Campaign Finance", "Foreign Policy", "Local Elections", "Tax Policy", "Welfare", "Defence", "Diplomacy"}},
	{"health", 10,
		[]phrase{many("Community clinics"), one("Regional health board"), one("Hospital trust"), one("Nurses' union"), one("Health ministry"), many("GP practices"), one("Ambulance service"), many("Researchers"), many("Public health officials"), many("Pharmacists")},
		[]string{"winter opening hours", "waiting-list targets", "vaccination drive", "mental health services", "maternity unit", "AI triage pilot", "dental contracts", "cancer screening", "staff training", "drug shortages"},
		[]string{"Public Health", "Vaccines", "Mental Health", "AI in Healthcare", "Hospitals", "Nursing", "Waiting Lists", "Cancer", "Dementia", "Maternity Care", "Primary Care", "Pharmacy", "Obesity", "Health Policy", "Antibiotics", "Dental Care", "Social Care", "Medical Research", "Epidemiology", "Clinical Trials"}},
	{"technology", 10,
		[]phrase{one("Chip maker"), one("Software firm"), one("Telecom operator"), many("Regulators"), one("Open-source project"), one("Cloud provider"), one("Robotics start-up"), one("Social network"), one("Games studio"), one("Cybersecurity agency")},
		[]string{"AI model", "data centre", "5G rollout", "privacy rules", "security patch", "quantum computer", "app store fees", "broadband upgrade", "ransomware response", "customer service chatbot"},
		[]string{"AI", "Machine Learning", "AI Ethics", "Cybersecurity", "Cloud Computing", "Open Source", "Semiconductors", "Quantum Computing", "Broadband", "Data Protection", "Robotics", "Smartphones", "Social Media", "Gaming", "Software", "Data Centres", "5G", "Ransomware", "Large Language Models", "Digital Identity"}},
	{"science", 8,
		[]phrase{many("University researchers"), one("Space agency"), one("Genomics team"), many("Astronomers"), many("Marine biologists"), many("Physicists"), many("Archaeologists"), one("Research council"), many("Museum scientists"), many("Climate scientists")},
		[]string{"genomics trial", "telescope upgrade", "gene therapy study", "fossil find", "particle detector", "research funding round", "ocean survey", "Mars sample mission", "vaccine trial", "protein map"},
		[]string{"Genomics", "Space", "Astronomy", "Physics", "Archaeology", "Biology", "Research Funding", "Clinical Trials", "Gene Therapy", "Marine Biology", "Palaeontology", "Chemistry", "Neuroscience", "Ecology", "Particle Physics", "Open Science", "Peer Review", "Mars", "Telescopes", "Evolution"}},
	{"environment", 7,
		[]phrase{one("Glacier monitoring network"), one("Water regulator"), one("Conservation group"), one("Environment agency"), one("Wind farm developer"), many("Farmers"), one("Rewilding trust"), many("Coastal towns"), one("Energy regulator"), many("Climate campaigners")},
		[]string{"melt season survey", "river pollution fines", "offshore wind farm", "heat pump grants", "beaver release", "coastal erosion plan", "air quality limits", "peatland restoration", "solar park", "emissions targets"},
		[]string{"Climate", "Renewable Energy", "Biodiversity", "Air Quality", "Rivers", "Wind Power", "Solar Power", "Heat Pumps", "Rewilding", "Coastal Erosion", "Glaciers", "Emissions", "Recycling", "Wildlife", "Forests", "Droughts", "Net Zero", "Pollution", "Water Quality", "Conservation"}},
	{"sport", 7,
		[]phrase{one("Football club"), one("Cycling team"), one("National rugby side"), one("Tennis federation"), many("Marathon organisers"), one("Swimming coach"), many("League officials"), one("Olympic committee"), one("Cricket board"), one("Athletics club")},
		[]string{"new stadium", "transfer budget", "doping ban", "season ticket prices", "title challenge", "youth academy", "women's league", "world championship bid", "coaching staff", "ticket sales"},
		[]string{"Football", "Cycling", "Rugby", "Tennis", "Athletics", "Swimming", "Olympics", "Cricket", "Women's Sport", "Doping", "Stadiums", "Transfers", "Youth Sport", "Marathon", "Motorsport", "Sailing", "Basketball", "Ice Hockey", "Esports", "Sports Governance"}},
	{"culture", 5,
		[]phrase{one("City museum"), one("Film festival"), one("Orchestra"), one("Theatre company"), many("Publishers"), one("Art gallery"), one("Music venue"), one("Heritage trust"), one("Broadcaster"), one("Poetry society")},
		[]string{"new exhibition", "funding cuts", "book prize shortlist", "restoration project", "summer programme", "free ticket scheme", "archive digitisation", "opera season", "street art trail", "concert hall plans"},
		[]string{"Museums", "Film", "Music", "Theatre", "Books", "Art", "Heritage", "Festivals", "Architecture", "Photography", "Television", "Opera", "Literature", "Dance", "Design", "Podcasts", "Classical Music", "Street Art", "Archives", "Cinema"}},
	{"education", 4,
		[]phrase{many("Schools"), one("University"), one("Teachers' union"), one("Education ministry"), one("Exam board"), one("Student union"), many("Nursery providers"), many("Colleges"), many("Inspectors"), many("Head teachers")},
		[]string{"exam results", "tuition fees", "free school meals", "teacher shortage", "curriculum reform", "campus housing", "apprenticeship scheme", "school repairs", "phone ban", "funding formula"},
		[]string{"Schools", "Universities", "Exams", "Teachers", "Tuition Fees", "Early Years", "Apprenticeships", "Curriculum", "Student Housing", "Special Educational Needs", "School Meals", "Further Education", "Literacy", "Higher Education", "Edtech", "Scholarships", "Adult Learning", "Languages", "STEM Education", "School Funding"}},
	{"world", 6,
		[]phrase{many("Foreign ministers"), one("UN agency"), many("Aid groups"), one("European Commission"), many("Trade negotiators"), one("Port authority"), many("Election observers"), many("Relief workers"), many("Central banks"), one("Peace envoy")},
		[]string{"ceasefire talks", "trade deal", "food aid convoy", "border crossing", "climate summit", "refugee resettlement", "sanctions package", "port expansion", "grain exports", "election monitoring"},
		[]string{"Diplomacy", "Trade", "Humanitarian Aid", "Refugees", "United Nations", "European Union", "Sanctions", "Conflict", "Human Rights", "Climate Diplomacy", "Migration", "Global Economy", "Food Security", "Asia", "Africa", "Latin America", "Middle East", "Europe", "Arctic", "Pacific"}},
}

// places appear in titles, bodies and, as topics, in the shared pool.
var places = []string{
	"Northbridge", "Bayview", "Ashford", "Calder Vale", "Riverside", "Eastgate", "Westmarch", "Pinewood", "Lakeshore", "Harbourside",
	"Łódź", "Zürich", "Kraków", "São Paulo", "Malmö", "Reykjavík", "Düsseldorf", "Besançon", "Ærøskøbing", "Göteborg",
	"Córdoba", "Gdańsk", "Tromsø", "Genève", "Montréal", "Bogotá", "Brașov", "Plzeň", "København", "Wrocław",
	"Liège", "Cádiz", "Nürnberg", "Ålesund", "Poznań", "Straßburg",
}

// sharedTopics cut across categories: themes, places (added in init),
// and a few Chinese and Japanese topics.
var sharedTopics = []string{
	"Economy", "Cost of Living", "Accessibility", "Ageing Population", "Remote Work", "Misinformation", "Artificial Intelligence",
	"Sustainability", "Innovation", "Regulation", "Public Finances", "Rural Affairs", "Young People", "Equality", "Safety",
	"Data", "Research", "Investigations", "Weather", "Explainer", "Opinion", "Analysis", "Interview", "Live Updates",
}

// cjkTopics are drawn for Chinese and Japanese stories, and now and then
// for others.
var cjkTopics = map[string][]string{
	"zh": {"自行车", "计划", "城市交通", "人工智能", "气候变化", "公共交通", "上海", "北京", "深圳", "基因组学", "空气质量", "教育"},
	"ja": {"自転車", "計画", "東京", "大阪", "地下鉄", "気候変動", "教育改革", "京都", "観光", "人工知能", "鉄道", "横浜"},
}

// cjkTitles are whole headlines; English words cannot be slotted into them.
var cjkTitles = map[string][]string{
	"zh": {
		"市议会批准新的自行车道计划", "上海地铁新线路计划年底开通", "北京发布空气质量改善计划", "人工智能在医院的应用引发讨论",
		"深圳自行车共享计划扩大到全市", "大学研究团队公布基因组学试验结果", "公共交通票价明年起上调", "气候变化报告呼吁加快减排",
	},
	"ja": {
		"東京都が新しい自転車道の計画を発表", "大阪で地下鉄の延伸計画が承認", "気候変動対策で新たな補助金制度", "京都の観光客数が過去最高に",
		"横浜港に新しいフェリーターミナル", "教育改革案、国会で審議入り", "人工知能を使った診断支援、病院で試験導入", "鉄道各社が終電の繰り下げを検討",
	},
}

var cjkSentences = map[string][]string{
	"zh": {
		"市议会表示，新的自行车道将于明年春天开工。", "该计划预计耗资约三亿元，分三期完成。", "部分居民担心施工会影响交通。",
		"交通部门发言人称，将在下月公布详细路线。", "研究人员表示，结果仍需更大规模的试验验证。", "专家认为，城市交通需要更长远的规划。",
		"去年该市共享单车的使用量增长了百分之二十。", "市民可以在网上查看完整的计划文件。", "这项政策将首先在三个区试行。", "当地商户对这一决定表示欢迎。",
	},
	"ja": {
		"東京都は来年度から新しい自転車道の整備を始めると発表した。", "計画の総事業費は約二百億円と見込まれている。", "一部の住民からは工事による渋滞を懸念する声も上がっている。",
		"担当者は、来月にも詳しいルートを公表するとしている。", "研究チームは、さらに大規模な試験が必要だと述べた。", "専門家は、長期的な視点での都市計画が欠かせないと指摘する。",
		"市内の自転車利用者は昨年比で二割増えた。", "詳しい計画は市のウェブサイトで公開されている。", "新制度はまず三つの区で試験的に導入される。", "地元の商店街はこの決定を歓迎している。",
	},
}

var cjkHeadings = map[string][]string{
	"zh": {"背景", "下一步", "各方反应", "数据"},
	"ja": {"背景", "今後の予定", "反応", "数字で見る"},
}

// verbs are headline verbs: singular and plural form.
var verbs = [][2]string{
	{"opens", "open"}, {"approves", "approve"}, {"delays", "delay"}, {"cuts", "cut"}, {"announces", "announce"},
	{"launches", "launch"}, {"rejects", "reject"}, {"expands", "expand"}, {"reviews", "review"}, {"backs", "back"},
	{"scraps", "scrap"}, {"unveils", "unveil"}, {"pauses", "pause"}, {"defends", "defend"}, {"criticises", "criticise"},
	{"plans", "plan"}, {"extends", "extend"}, {"warns over", "warn over"}, {"calls for", "call for"}, {"signs off", "sign off"},
	{"questions", "question"}, {"doubles down on", "double down on"},
}

var titleTails = []string{
	"in {place}", "after {n2}-year delay", "as costs rise", "despite objections", "amid staff shortages", "for {year}",
	"ahead of winter", "after public consultation", "in {place} and {place}", "as demand grows", "after record year",
	"following complaints", "under new rules",
}

var firstNames = []string{
	"Anna", "James", "Priya", "Mohammed", "Zoë", "José", "Łukasz", "Søren", "Björn", "François", "Sofia", "Daniel", "Aisha", "Tomás",
	"Ingrid", "Kenji", "Mei", "Olu", "Grace", "Hannah", "Rafael", "Agnieszka", "Matthias", "Siobhan", "Emeka", "Yuki", "Lars", "Chloé",
	"Dariusz", "Niamh",
}

var lastNames = []string{
	"Patel", "Okafor", "Nowak", "Müller", "García", "Jensen", "Kowalski", "Dubois", "Smith", "Brennan", "Tanaka", "Ahmed", "Rossi",
	"Novak", "Lindqvist", "Fernández", "O'Neill", "Khan", "Williams", "Schmidt", "Jovanović", "Andersson", "Moreau", "Costa", "Wójcik",
	"Hughes", "Nakamura", "Mensah", "Byrne", "Silva",
}

var roles = []string{
	"the council's transport lead", "a consultant at the regional hospital", "chief executive of the trust", "a professor of public policy",
	"the union's regional secretary", "a local business owner", "the project's lead researcher", "a spokesperson for the campaign",
	"the club's chairman", "a parent of two", "head of research at the institute", "the committee's chair", "an independent analyst",
	"the company's finance director", "a senior lecturer in economics",
}

var orgs = []string{
	"the council", "the regulator", "the company", "the ministry", "the trust", "the union", "the department", "the agency",
	"the board", "the university", "the federation", "the commission",
}

var quotes = []string{
	"We have to get the basics right before we expand", "This is a long-term investment, not a quick fix",
	"People have waited long enough", "The evidence is clear and we intend to act on it", "Nobody wants to see services cut",
	"It is a good start, but it is only a start", "We listened to what residents told us", "The numbers speak for themselves",
	"We will keep this under review", "There is no simple answer here",
}

var concerns = []string{
	"the underlying funding gap", "rising costs for households", "the shortage of trained staff", "safety at night",
	"the backlog of repairs", "the impact on small businesses", "access for disabled people", "the lack of public consultation",
}

var findings = []string{
	"a modest but consistent benefit", "no significant difference between the groups", "a clear link with air quality",
	"a 12% reduction in hospital admissions", "effects that faded after six months", "results in line with earlier trials",
}

var outcomes = []string{
	"cut journey times", "struggled to attract users", "been copied across the region", "been paused pending a review",
	"paid for themselves within five years", "run well over budget",
}

var groups = []string{"community groups", "unions", "disability charities", "local traders", "parents", "environmental groups", "patients' representatives"}

var weekdays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

var whens = []string{"next spring", "later this year", "within 18 months", "by the end of {year}", "early next year", "before the summer"}

var metrics = []string{"demand", "the number of complaints", "average waiting times", "passenger numbers", "operating costs", "applications", "visitor numbers", "energy use"}

// sentences are the English body and excerpt templates; {…} slots are
// filled by story.expand.
var sentences = []string{
	"{Subj} said on {weekday} that the {obj} would go ahead {when}.",
	"The decision follows {n2} months of consultation with residents, {group} and {group}.",
	"Figures published this week show {metric} rose by {pct}% over the past year.",
	"“{quote},” said {person}, {role}.",
	"Critics argue the {obj} does little to address {concern}.",
	"Officials expect the first phase to be completed by {month} {year}.",
	"The cost has risen from {money} to {money2} since the plans were first published.",
	"{person}, who has followed the issue for {n2} years, said the change was overdue.",
	"A spokesperson for {org} declined to comment on the timetable.",
	"Similar schemes in {place} and {place} have {outcome}.",
	"{Org} will publish a full report in {month}, with a summary for {group}.",
	"Local groups have asked for a public meeting before any work on the {obj} begins.",
	"Around {n} people are expected to be affected by the change.",
	"The study, which followed {n} participants over {n2} years, found {finding}.",
	"Demand in {place} is up {pct}% on the same period last year.",
	"The plan sets aside {money} for the {obj} over the next {n2} years.",
	"Opposition members said the {obj} had been announced without a clear budget.",
	"{Org} said it had received {n} responses, most of them in favour.",
	"The {obj} is the first of its kind in {place}.",
	"Some details, including {concern}, are still being worked out.",
}

var headings = []string{
	"What happens next", "Background", "Where the delays are", "The numbers", "Reaction", "What it costs",
	"How we got here", "Why it matters", "Timeline", "What the critics say",
}

var linkTexts = []string{"full report", "consultation document", "earlier coverage", "published figures", "the minutes of the meeting", "the original study"}

var months = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

var unknownKeys = []string{"language: en", "wordCount: {n}", "source: pipeline-v2", "region: emea", "paywall: false"}

var comments = []string{"# generated by the ingest pipeline", "# schema v3", "# do not edit by hand: the pipeline owns this file"}

// extensions with their share of files, in percent.
var extensions = []struct {
	ext   string
	share int
}{{".md", 76}, {".txt", 11}, {".yaml", 6}, {".markdown", 4}, {".yml", 3}}
