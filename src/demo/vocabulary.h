// The words the staffing demo data is made of (internal to src/demo). Roles,
// skills and settings are grouped by job family, and client industries name
// the families they hire in, so a nurse's resume talks about telemetry and a
// hospital posts nursing jobs: text search over resumes and job descriptions
// then finds what a person would expect. No field contains a double quote.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lakehouse::demo::vocab {

template <typename T, size_t N>
constexpr size_t CountOf(const T (&)[N]) {
  return N;
}

struct Role {
  const char* title;
  // Hourly pay a candidate of this role asks for, in cents: entry level and
  // after twenty years.
  int64_t pay_low;
  int64_t pay_high;
};

struct Family {
  const char* name;
  const Role* roles;
  size_t role_count;
  const char* const* skills;
  size_t skill_count;
  const char* const* settings;  // "at a regional hospital": where work happened
  size_t setting_count;
  const char* const* wins;  // "precepted new graduate nurses": what was achieved
  size_t win_count;
  const char* const* credentials;  // a resume's closing credential sentence
  size_t credential_count;
};

// --- healthcare ---------------------------------------------------------------------
inline constexpr Role kHealthRoles[] = {{"Registered Nurse", 3800, 6800},
                                        {"Licensed Practical Nurse", 2600, 4000},
                                        {"Certified Nursing Assistant", 1700, 2500},
                                        {"Medical Assistant", 1800, 2600},
                                        {"Physical Therapist", 4200, 7000},
                                        {"Pharmacy Technician", 1900, 2800}};
inline constexpr const char* kHealthSkills[] = {"patient care",
                                                "telemetry",
                                                "wound care",
                                                "IV therapy",
                                                "Epic charting",
                                                "medication administration",
                                                "triage",
                                                "phlebotomy",
                                                "BLS and ACLS",
                                                "HIPAA compliance",
                                                "vital signs",
                                                "infection control",
                                                "care planning",
                                                "dementia care",
                                                "electronic health records",
                                                "pharmacy inventory",
                                                "gait training",
                                                "post-operative care"};
inline constexpr const char* kHealthSettings[] = {
    "in a Level I trauma center", "at a regional hospital",   "in a skilled nursing facility",
    "at an outpatient clinic",    "on a busy med-surg floor", "at a rehabilitation center"};
inline constexpr const char* kHealthWins[] = {
    "cared for up to six patients per shift",   "precepted new graduate nurses",
    "cut medication errors on the unit",        "kept charting current in Epic",
    "improved patient satisfaction scores",     "led daily safety huddles",
    "trained staff on infection control rules", "covered night and weekend shifts"};
inline constexpr const char* kHealthCredentials[] = {
    "Holds an active state license and BLS certification.",
    "Completed an accredited nursing program.", "Certified in CPR and first aid.",
    "Holds a compact multistate license."};

// --- technology -----------------------------------------------------------------------
inline constexpr Role kTechRoles[] = {
    {"Software Engineer", 5000, 9500},     {"Data Analyst", 3500, 6000},
    {"DevOps Engineer", 5500, 9500},       {"Help Desk Technician", 1900, 3000},
    {"Network Administrator", 3500, 5800}, {"QA Engineer", 3500, 6000}};
inline constexpr const char* kTechSkills[] = {"Python",
                                              "SQL",
                                              "Java",
                                              "C++",
                                              "Kubernetes",
                                              "Terraform",
                                              "AWS",
                                              "Azure",
                                              "Linux",
                                              "React",
                                              "REST APIs",
                                              "data modeling",
                                              "Tableau",
                                              "Power BI",
                                              "Git",
                                              "CI/CD pipelines",
                                              "Active Directory",
                                              "Cisco networking",
                                              "ServiceNow",
                                              "automated testing"};
inline constexpr const char* kTechSettings[] = {
    "for a fintech startup",          "at a SaaS company",
    "for a Fortune 500 retailer",     "on a cloud migration team",
    "at a managed services provider", "in a hospital IT department"};
inline constexpr const char* kTechWins[] = {
    "moved a monolith to microservices",        "cut cloud costs by a third",
    "built dashboards used by executives",      "automated nightly deployments",
    "resolved hundreds of support tickets",     "raised test coverage above 80 percent",
    "migrated the data warehouse to the cloud", "kept the network up during a data center move"};
inline constexpr const char* kTechCredentials[] = {
    "Holds a bachelor's degree in computer science.", "AWS Certified Solutions Architect.",
    "CompTIA A+ and Network+ certified.", "Completed a data analytics bootcamp."};

// --- finance and accounting --------------------------------------------------------
inline constexpr Role kFinanceRoles[] = {{"Accountant", 3000, 5500},
                                         {"Payroll Specialist", 2300, 3500},
                                         {"Bookkeeper", 2100, 3300},
                                         {"Financial Analyst", 3500, 6500},
                                         {"Accounts Payable Clerk", 1900, 2700}};
inline constexpr const char* kFinanceSkills[] = {"QuickBooks",
                                                 "accounts payable",
                                                 "accounts receivable",
                                                 "general ledger",
                                                 "month-end close",
                                                 "reconciliations",
                                                 "ADP payroll",
                                                 "Workday",
                                                 "Excel",
                                                 "financial reporting",
                                                 "GAAP",
                                                 "budgeting",
                                                 "audit preparation",
                                                 "NetSuite",
                                                 "forecasting",
                                                 "SAP"};
inline constexpr const char* kFinanceSettings[] = {
    "at a regional bank", "for a CPA firm", "in a corporate finance department",
    "at a credit union", "for a holding company with twelve entities"};
inline constexpr const char* kFinanceWins[] = {"shortened the month-end close by four days",
                                               "processed payroll for 900 employees",
                                               "cleaned up years of unreconciled accounts",
                                               "prepared schedules for the annual audit",
                                               "built the annual budget model",
                                               "cut late vendor payments to zero"};
inline constexpr const char* kFinanceCredentials[] = {
    "Holds a bachelor's degree in accounting.", "Certified Payroll Professional.", "CPA candidate.",
    "Advanced Excel certification."};

// --- office and administrative ----------------------------------------------------
inline constexpr Role kOfficeRoles[] = {{"Administrative Assistant", 1800, 2800},
                                        {"Executive Assistant", 2500, 4000},
                                        {"Receptionist", 1600, 2200},
                                        {"Customer Service Representative", 1600, 2400},
                                        {"Data Entry Clerk", 1600, 2100},
                                        {"Office Manager", 2500, 3800}};
inline constexpr const char* kOfficeSkills[] = {
    "scheduling",        "calendar management", "Microsoft Office",
    "data entry",        "customer service",    "Zendesk",
    "multi-line phones", "travel arrangements", "records management",
    "bilingual Spanish", "conflict resolution", "typing 70 wpm",
    "event planning",    "expense reports"};
inline constexpr const char* kOfficeSettings[] = {"in a high-volume call center",
                                                  "at a county government office",
                                                  "for a property management company",
                                                  "at a corporate headquarters",
                                                  "for a busy law office",
                                                  "at a university admissions office"};
inline constexpr const char* kOfficeWins[] = {"answered 80 calls a day with top quality scores",
                                              "managed calendars for three executives",
                                              "digitized ten years of paper records",
                                              "organized a 300-person conference",
                                              "cut the complaint backlog in half",
                                              "trained new front desk staff"};
inline constexpr const char* kOfficeCredentials[] = {
    "Microsoft Office Specialist certified.", "Holds an associate degree in business.",
    "Fluent in English and Spanish.", "Notary public."};

// --- manufacturing ----------------------------------------------------------------------
inline constexpr Role kMakeRoles[] = {{"CNC Machinist", 2300, 3700},
                                      {"Welder", 2100, 3500},
                                      {"Maintenance Technician", 2400, 3900},
                                      {"Quality Inspector", 1900, 3000},
                                      {"Assembler", 1600, 2200},
                                      {"Production Supervisor", 2700, 4100}};
inline constexpr const char* kMakeSkills[] = {"blueprint reading",
                                              "MIG welding",
                                              "TIG welding",
                                              "CNC programming",
                                              "PLC troubleshooting",
                                              "preventive maintenance",
                                              "lean manufacturing",
                                              "Six Sigma",
                                              "ISO 9001",
                                              "root cause analysis",
                                              "OSHA safety",
                                              "GD&T",
                                              "calipers and micrometers",
                                              "hydraulics",
                                              "forklift certified",
                                              "5S"};
inline constexpr const char* kMakeSettings[] = {
    "at an automotive plant", "in an aerospace machine shop", "at a food processing plant",
    "for a metal fabrication shop", "on a high-speed packaging line"};
inline constexpr const char* kMakeWins[] = {
    "held scrap under one percent",      "cut changeover time by 40 minutes",
    "kept line uptime above 95 percent", "passed every ISO audit",
    "trained new operators on safety",   "programmed parts to tolerances of a thousandth"};
inline constexpr const char* kMakeCredentials[] = {
    "AWS certified welder.", "Completed a machining certificate at a technical college.",
    "OSHA 30 certified.", "Six Sigma Green Belt."};

// --- logistics and warehouse -------------------------------------------------------
inline constexpr Role kLogisticsRoles[] = {{"Warehouse Associate", 1600, 2100},
                                           {"Forklift Operator", 1800, 2400},
                                           {"Truck Driver", 2400, 3800},
                                           {"Dispatcher", 2000, 3000},
                                           {"Inventory Specialist", 1800, 2500}};
inline constexpr const char* kLogisticsSkills[] = {
    "forklift operation",     "inventory control", "RF scanning", "pick and pack",
    "shipping and receiving", "cycle counting",    "CDL Class A", "route planning",
    "DOT compliance",         "WMS software",      "pallet jack", "hazmat endorsement",
    "load planning",          "reach truck"};
inline constexpr const char* kLogisticsSettings[] = {
    "at a distribution center", "for a third-party logistics firm",
    "at an e-commerce fulfillment center", "on regional delivery routes",
    "at a cold-storage warehouse"};
inline constexpr const char* kLogisticsWins[] = {
    "picked 150 orders an hour at 99.9 percent accuracy",
    "drove 500,000 miles without an accident",
    "kept inventory accuracy above 99 percent",
    "planned routes for a fleet of 40 trucks",
    "trained seasonal hires on RF scanners",
    "cut dock-to-stock time in half"};
inline constexpr const char* kLogisticsCredentials[] = {"Holds a Class A CDL with a clean record.",
                                                        "Forklift certified.", "OSHA 10 certified.",
                                                        "Holds a hazmat endorsement."};

// --- legal ----------------------------------------------------------------------------------
inline constexpr Role kLegalRoles[] = {{"Paralegal", 2600, 4300},
                                       {"Legal Assistant", 2100, 3100},
                                       {"Contracts Administrator", 3000, 4800},
                                       {"Litigation Support Specialist", 2800, 4600}};
inline constexpr const char* kLegalSkills[] = {
    "contract review",     "e-discovery",     "legal research",         "Westlaw",
    "document management", "case management", "deposition preparation", "trademark filings",
    "Relativity",          "court filings",   "legal billing",          "redlining"};
inline constexpr const char* kLegalSettings[] = {
    "for a national law firm", "in a corporate legal department", "at a litigation boutique",
    "for a public defender's office"};
inline constexpr const char* kLegalWins[] = {
    "managed discovery for a 2 million document case", "drafted and tracked 400 contracts a year",
    "prepared exhibits for trial", "kept every court deadline on calendar"};
inline constexpr const char* kLegalCredentials[] = {
    "Holds an ABA-approved paralegal certificate.",
    "Holds a bachelor's degree in political science.", "Relativity certified administrator."};

// --- sales and people -----------------------------------------------------------------
inline constexpr Role kSalesRoles[] = {{"Sales Representative", 2000, 4000},
                                       {"Account Manager", 2800, 4500},
                                       {"Recruiter", 2500, 4000},
                                       {"HR Generalist", 2600, 4000}};
inline constexpr const char* kSalesSkills[] = {"Salesforce",
                                               "cold calling",
                                               "account management",
                                               "lead generation",
                                               "negotiation",
                                               "full-cycle recruiting",
                                               "applicant tracking systems",
                                               "onboarding",
                                               "benefits administration",
                                               "HubSpot",
                                               "pipeline management",
                                               "employee relations"};
inline constexpr const char* kSalesSettings[] = {
    "for a B2B software vendor", "at a staffing agency", "for a medical device company",
    "in a retail chain's regional office"};
inline constexpr const char* kSalesWins[] = {
    "beat quota six quarters in a row", "filled 60 hard-to-fill roles in a year",
    "grew a territory by 30 percent", "rebuilt the onboarding program",
    "kept client retention above 95 percent"};
inline constexpr const char* kSalesCredentials[] = {"SHRM Certified Professional.",
                                                    "Holds a bachelor's degree in marketing.",
                                                    "Salesforce certified administrator."};

#define LH_DEMO_FAMILY(name, prefix)                                                   \
  Family {                                                                             \
    name, k##prefix##Roles, CountOf(k##prefix##Roles), k##prefix##Skills,              \
        CountOf(k##prefix##Skills), k##prefix##Settings, CountOf(k##prefix##Settings), \
        k##prefix##Wins, CountOf(k##prefix##Wins), k##prefix##Credentials,             \
        CountOf(k##prefix##Credentials)                                                \
  }
enum FamilyId : uint8_t {
  kHealthcare,
  kTechnology,
  kFinance,
  kOffice,
  kManufacturing,
  kLogistics,
  kLegal,
  kSales,
};
inline constexpr Family kFamilies[] = {
    LH_DEMO_FAMILY("healthcare", Health),  LH_DEMO_FAMILY("technology", Tech),
    LH_DEMO_FAMILY("finance", Finance),    LH_DEMO_FAMILY("office", Office),
    LH_DEMO_FAMILY("manufacturing", Make), LH_DEMO_FAMILY("logistics", Logistics),
    LH_DEMO_FAMILY("legal", Legal),        LH_DEMO_FAMILY("sales", Sales)};
#undef LH_DEMO_FAMILY
// How many candidates of each family per 100: the agency is mostly light
// industrial, office and healthcare, as staffing agencies are.
inline constexpr int kFamilyWeights[] = {18, 12, 10, 18, 14, 16, 5, 7};

// --- clients -------------------------------------------------------------------------
struct Industry {
  const char* name;
  const char* const* tails;  // "Medical Center": the end of a client's name
  size_t tail_count;
  // The families it hires in; the first for most of its jobs.
  FamilyId families[3];
};
inline constexpr const char* kHealthTails[] = {"Health", "Medical Center", "Care Partners",
                                               "Clinics"};
inline constexpr const char* kTechTails[] = {"Systems", "Software", "Technologies", "Labs"};
inline constexpr const char* kFinanceTails[] = {"Bank", "Financial", "Capital", "Insurance"};
inline constexpr const char* kMakeTails[] = {"Manufacturing", "Industries", "Fabrication", "Foods"};
inline constexpr const char* kLogisticsTails[] = {"Logistics", "Freight", "Distribution",
                                                  "Transport"};
inline constexpr const char* kLegalTails[] = {"Law Group", "Legal LLP"};
inline constexpr const char* kRetailTails[] = {"Retail", "Markets", "Outfitters"};
inline constexpr const char* kGovTails[] = {"County Services", "Public Works"};
inline constexpr Industry kIndustries[] = {
    {"Healthcare", kHealthTails, CountOf(kHealthTails), {kHealthcare, kOffice, kFinance}},
    {"Technology", kTechTails, CountOf(kTechTails), {kTechnology, kSales, kOffice}},
    {"Financial Services", kFinanceTails, CountOf(kFinanceTails), {kFinance, kOffice, kTechnology}},
    {"Manufacturing", kMakeTails, CountOf(kMakeTails), {kManufacturing, kLogistics, kOffice}},
    {"Transportation and Logistics",
     kLogisticsTails,
     CountOf(kLogisticsTails),
     {kLogistics, kManufacturing, kOffice}},
    {"Legal Services", kLegalTails, CountOf(kLegalTails), {kLegal, kOffice, kFinance}},
    {"Retail", kRetailTails, CountOf(kRetailTails), {kSales, kLogistics, kOffice}},
    {"Government", kGovTails, CountOf(kGovTails), {kOffice, kFinance, kTechnology}}};

inline constexpr const char* kClientHeads[] = {
    "Acme",        "Summit",      "Blue River", "Northwind",   "Lakeside",  "Granite",
    "Pioneer",     "Harbor",      "Redwood",    "Keystone",    "Evergreen", "Silverline",
    "Bright Path", "Ironwood",    "Cascade",    "Meridian",    "Prairie",   "Atlas",
    "Beacon",      "Cedar Point", "Frontier",   "Golden Gate", "Liberty",   "Maple",
    "Oakridge",    "Riverbend",   "Sunrise",    "Tristate",    "Valley",    "Westfield"};

// --- people and places ------------------------------------------------------------
inline constexpr const char* kFirstNames[] = {
    "James",   "Mary",    "Robert",  "Patricia", "John",    "Jennifer", "Michael", "Linda",
    "David",   "Susan",   "William", "Karen",    "Richard", "Lisa",     "Joseph",  "Nancy",
    "Thomas",  "Betty",   "Carlos",  "Maria",    "Daniel",  "Sandra",   "Matthew", "Ashley",
    "Anthony", "Emily",   "Mark",    "Donna",    "Steven",  "Michelle", "Andrew",  "Carol",
    "Joshua",  "Amanda",  "Kevin",   "Melissa",  "Brian",   "Deborah",  "Wei",     "Priya",
    "Ahmed",   "Fatima",  "Jorge",   "Lucia",    "Hiroshi", "Yuki",     "Olumide", "Amara",
    "Dmitri",  "Svetlana"};
inline constexpr const char* kLastNames[] = {
    "Smith",     "Johnson",  "Williams",  "Brown",   "Jones",    "Garcia",   "Miller",   "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez",   "Gonzalez", "Wilson",   "Anderson", "Thomas",
    "Taylor",    "Moore",    "Jackson",   "Martin",  "Lee",      "Perez",    "Thompson", "White",
    "Harris",    "Sanchez",  "Clark",     "Ramirez", "Lewis",    "Robinson", "Walker",   "Young",
    "Allen",     "King",     "Wright",    "Scott",   "Torres",   "Nguyen",   "Hill",     "Flores",
    "Green",     "Adams",    "Nelson",    "Baker",   "Hall",     "Rivera",   "Campbell", "Mitchell",
    "Patel",     "Okafor",   "Kim",       "Chen",    "Ivanova",  "Tanaka"};
inline constexpr const char* kDomains[] = {"example.com", "mail.example.org", "inbox.example.net",
                                           "staff.example.io"};

struct City {
  const char* city;
  const char* state;
};
// Where the agency works: a few metro areas per region, weighted by listing
// large cities once and small ones not at all.
inline constexpr City kCities[] = {
    {"Houston", "TX"},    {"Dallas", "TX"},         {"Austin", "TX"},       {"San Antonio", "TX"},
    {"Phoenix", "AZ"},    {"Tucson", "AZ"},         {"Los Angeles", "CA"},  {"San Diego", "CA"},
    {"Sacramento", "CA"}, {"Denver", "CO"},         {"Chicago", "IL"},      {"Indianapolis", "IN"},
    {"Columbus", "OH"},   {"Cleveland", "OH"},      {"Detroit", "MI"},      {"Atlanta", "GA"},
    {"Charlotte", "NC"},  {"Raleigh", "NC"},        {"Nashville", "TN"},    {"Memphis", "TN"},
    {"Miami", "FL"},      {"Orlando", "FL"},        {"Tampa", "FL"},        {"New York", "NY"},
    {"Buffalo", "NY"},    {"Newark", "NJ"},         {"Philadelphia", "PA"}, {"Pittsburgh", "PA"},
    {"Boston", "MA"},     {"Baltimore", "MD"},      {"Richmond", "VA"},     {"Seattle", "WA"},
    {"Portland", "OR"},   {"Salt Lake City", "UT"}, {"Las Vegas", "NV"},    {"Kansas City", "MO"},
    {"St. Louis", "MO"},  {"Minneapolis", "MN"},    {"Milwaukee", "WI"},    {"Louisville", "KY"}};

inline constexpr const char* kEngagements[] = {"contract", "temp-to-hire", "direct hire"};
inline constexpr const char* kShifts[] = {"day", "evening", "night", "rotating", "weekend"};
inline constexpr int kContractWeeks[] = {8, 13, 13, 26, 26, 52};

}  // namespace lakehouse::demo::vocab
