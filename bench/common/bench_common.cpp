#include "bench_common.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/logging.h"
#include "common/splitmix64.h"
#include "common/sql_quote.h"
#include "server/dataset_routes.h"
#include "server/query_routes.h"

namespace lakehouse::bench {

void Fail(const std::string& what) { throw BenchError(what); }

void FailErrno(const std::string& what) { Fail(what + ": " + std::strerror(errno)); }

void Check(const Status& status, const std::string& what) {
  if (!status.ok()) Fail(what + ": " + status.ToString());
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// ---------------------------------------------------------------------------
// Machine facts.

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("model name")) {
      auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown CPU";
}

std::string MountOf(const std::string& path) {
  std::ifstream in("/proc/mounts");
  std::string line, best, best_point;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string device, point, type, options;
    fields >> device >> point >> type >> options;
    bool under =
        path == point || point == "/" ||
        (path.starts_with(point) && path.size() > point.size() && path[point.size()] == '/');
    if (under && point.size() >= best_point.size()) {
      best_point = point;
      best = type + " " + device + " on " + point + " (" + options + ")";
    }
  }
  return best.empty() ? "unknown filesystem" : best;
}

uint64_t FreeBytes(const std::string& path) {
  struct statvfs vfs {};
  if (::statvfs(path.c_str(), &vfs) != 0) FailErrno("statvfs " + path);
  return static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
}

void PrintMachine(const std::string& scratch_dir, MachineLine line) {
  utsname uts{};
  ::uname(&uts);
  const double free_gb = static_cast<double>(FreeBytes(scratch_dir)) / 1e9;
  if (line == MachineLine::kBrief) {
    std::printf("machine: %u CPUs (%s), %s %s\n", std::thread::hardware_concurrency(),
                CpuModel().c_str(), uts.sysname, uts.release);
  } else {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const double ram_gb =
        static_cast<double>(pages) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / 1e9;
    std::printf("machine: %u CPUs (%s), %.1f GB RAM, %s %s, DuckDB %s, cpp-httplib %s\n",
                std::thread::hardware_concurrency(), CpuModel().c_str(), ram_gb, uts.sysname,
                uts.release, duckdb_library_version(), CPPHTTPLIB_VERSION);
  }
  std::printf("disk: %s, scratch dir %s, %.1f GB free\n", MountOf(scratch_dir).c_str(),
              scratch_dir.c_str(), free_gb);
}

CpuSample SampleCpu() {
  CpuSample sample;
  sample.at = Clock::now();
  std::ifstream in("/proc/stat");
  std::string label;
  // user nice system idle iowait irq softirq steal
  unsigned long long v[8] = {};
  in >> label;
  for (auto& x : v) in >> x;
  const double tick = 1.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
  sample.busy_s = static_cast<double>(v[0] + v[1] + v[2] + v[5] + v[6]) * tick;
  sample.steal_s = static_cast<double>(v[7]) * tick;
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  sample.self_s = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  return sample;
}

void PrintCpuContention(const CpuSample& before, const CpuSample& after, const char* consequence) {
  const double wall_s = std::chrono::duration<double>(after.at - before.at).count();
  if (wall_s <= 0) return;
  const double self_s = after.self_s - before.self_s;
  const double others_s = std::max(0.0, after.busy_s - before.busy_s - self_s);
  const double steal_s = after.steal_s - before.steal_s;
  std::printf(
      "cpu over %.1f s: this process %.2f CPUs, everything else (other processes, kernel "
      "threads) %.2f CPUs, hypervisor steal %.2f CPUs\n",
      wall_s, self_s / wall_s, others_s / wall_s, steal_s / wall_s);
  if (others_s / wall_s > 0.25 || steal_s / wall_s > 0.1) {
    std::printf("WARNING: other work competed for the %u CPUs during the run; %s\n",
                std::thread::hardware_concurrency(), consequence);
  }
}

// ---------------------------------------------------------------------------
// Scratch directories, arguments, the run, statistics.

std::string MakeScratchDir(const std::string& parent_dir, const std::string& prefix) {
  std::error_code ec;
  std::filesystem::create_directories(parent_dir, ec);
  std::string parent = std::filesystem::absolute(parent_dir, ec).lexically_normal().string();
  while (parent.size() > 1 && parent.ends_with('/')) parent.pop_back();
  std::string pattern = parent + "/" + prefix + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    FailErrno("cannot make a scratch directory under " + parent);
  return pattern;
}

void RemoveScratchDir(const std::string& root, bool keep, const char* tool) {
  if (root.empty()) return;
  if (keep) {
    std::printf("scratch directory kept: %s\n", root.c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
  if (ec)
    std::fprintf(stderr, "%s: cannot remove %s: %s\n", tool, root.c_str(), ec.message().c_str());
}

std::string OptionValue(int argc, char** argv, int& i, const char* tool) {
  if (i + 1 >= argc) {
    std::fprintf(stderr, "%s: %s needs a value\n", tool, argv[i]);
    std::exit(2);
  }
  return argv[++i];
}

uint64_t ParseCount(const std::string& text, const char* flag, const char* tool) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0) {
    std::fprintf(stderr, "%s: %s takes a positive integer, not \"%s\"\n", tool, flag, text.c_str());
    std::exit(2);
  }
  return value;
}

void ParseArguments(int argc, char** argv, const char* tool, void (*usage)(FILE*),
                    CommonOptions& common,
                    const std::function<bool(const std::string& arg, int& i)>& own) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--dir") {
      common.parent_dir = OptionValue(argc, argv, i, tool);
    } else if (arg == "--quick") {
      common.quick = true;
    } else if (arg == "--keep") {
      common.keep = true;
    } else if (arg == "--help" || arg == "-h") {
      usage(stdout);
      std::exit(0);
    } else if (!own(arg, i)) {
      std::fprintf(stderr, "%s: unknown option %s\n", tool, arg.c_str());
      usage(stderr);
      std::exit(2);
    }
  }
}

int RunInScratchDir(const char* tool, const CommonOptions& options, const std::string& prefix,
                    const std::function<int(const std::string& root)>& run) {
  (void)SetLogLevel("warn");
  std::signal(SIGINT, [](int) { g_interrupted = true; });
  std::signal(SIGTERM, [](int) { g_interrupted = true; });

  std::string root;
  int rc;
  try {
    root = MakeScratchDir(options.parent_dir, prefix);
    rc = run(root);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", tool, e.what());
    rc = 1;
  }
  RemoveScratchDir(root, options.keep, tool);
  return rc;
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double Min(const std::vector<double>& values) {
  return values.empty() ? 0 : *std::min_element(values.begin(), values.end());
}

std::string Thousands(double value) {
  std::string digits = std::to_string(static_cast<long long>(value + 0.5));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Fixed(double value, int places) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", places, value);
  return text;
}

std::string Ratio(double a, double b) { return a > 0 && b > 0 ? Fixed(a / b, 2) : "n/a"; }

void PrintGoal(const std::string& goal, const std::string& measured, bool met) {
  std::printf("goal: %s: %s %s\n", goal.c_str(), measured.c_str(), met ? "MET" : "NOT MET");
}

// ---------------------------------------------------------------------------
// The generator.

namespace {

using Rng = SplitMix64;

constexpr const char* kFirstNames[] = {
    "James",   "Mary",    "Robert",  "Patricia", "John",    "Jennifer", "Michael", "Linda",
    "David",   "Susan",   "William", "Karen",    "Richard", "Lisa",     "Joseph",  "Nancy",
    "Thomas",  "Betty",   "Carlos",  "Maria",    "Daniel",  "Sandra",   "Matthew", "Ashley",
    "Anthony", "Emily",   "Mark",    "Donna",    "Steven",  "Michelle", "Andrew",  "Carol",
    "Joshua",  "Amanda",  "Kevin",   "Melissa",  "Brian",   "Deborah",  "Wei",     "Priya",
    "Ahmed",   "Fatima",  "Jorge",   "Lucia",    "Hiroshi", "Yuki",     "Olumide", "Amara",
    "Dmitri",  "Svetlana"};
constexpr const char* kLastNames[] = {
    "Smith",     "Johnson",  "Williams",  "Brown",   "Jones",    "Garcia",   "Miller",   "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez",   "Gonzalez", "Wilson",   "Anderson", "Thomas",
    "Taylor",    "Moore",    "Jackson",   "Martin",  "Lee",      "Perez",    "Thompson", "White",
    "Harris",    "Sanchez",  "Clark",     "Ramirez", "Lewis",    "Robinson", "Walker",   "Young",
    "Allen",     "King",     "Wright",    "Scott",   "Torres",   "Nguyen",   "Hill",     "Flores",
    "Green",     "Adams",    "Nelson",    "Baker",   "Hall",     "Rivera",   "Campbell", "Mitchell",
    "Patel",     "Okafor",   "Kim",       "Chen",    "Ivanova",  "Tanaka"};
constexpr const char* kDomains[] = {"example.com", "mail.example.org", "inbox.example.net",
                                    "staff.example.io"};

struct StateCities {
  const char* state;
  const char* cities[2];
};
constexpr StateCities kStates[] = {
    {"AL", {"Birmingham", "Huntsville"}},   {"AK", {"Anchorage", "Fairbanks"}},
    {"AZ", {"Phoenix", "Tucson"}},          {"AR", {"Little Rock", "Fayetteville"}},
    {"CA", {"Los Angeles", "San Diego"}},   {"CO", {"Denver", "Colorado Springs"}},
    {"CT", {"Hartford", "New Haven"}},      {"DE", {"Wilmington", "Dover"}},
    {"DC", {"Washington", "Washington"}},   {"FL", {"Miami", "Orlando"}},
    {"GA", {"Atlanta", "Savannah"}},        {"HI", {"Honolulu", "Hilo"}},
    {"ID", {"Boise", "Idaho Falls"}},       {"IL", {"Chicago", "Springfield"}},
    {"IN", {"Indianapolis", "Fort Wayne"}}, {"IA", {"Des Moines", "Cedar Rapids"}},
    {"KS", {"Wichita", "Topeka"}},          {"KY", {"Louisville", "Lexington"}},
    {"LA", {"New Orleans", "Baton Rouge"}}, {"ME", {"Portland", "Bangor"}},
    {"MD", {"Baltimore", "Annapolis"}},     {"MA", {"Boston", "Worcester"}},
    {"MI", {"Detroit", "Grand Rapids"}},    {"MN", {"Minneapolis", "Saint Paul"}},
    {"MS", {"Jackson", "Gulfport"}},        {"MO", {"Kansas City", "St. Louis"}},
    {"MT", {"Billings", "Missoula"}},       {"NE", {"Omaha", "Lincoln"}},
    {"NV", {"Las Vegas", "Reno"}},          {"NH", {"Manchester", "Nashua"}},
    {"NJ", {"Newark", "Jersey City"}},      {"NM", {"Albuquerque", "Santa Fe"}},
    {"NY", {"New York", "Buffalo"}},        {"NC", {"Charlotte", "Raleigh"}},
    {"ND", {"Fargo", "Bismarck"}},          {"OH", {"Columbus", "Cleveland"}},
    {"OK", {"Oklahoma City", "Tulsa"}},     {"OR", {"Portland", "Eugene"}},
    {"PA", {"Philadelphia", "Pittsburgh"}}, {"RI", {"Providence", "Warwick"}},
    {"SC", {"Charleston", "Columbia"}},     {"SD", {"Sioux Falls", "Rapid City"}},
    {"TN", {"Nashville", "Memphis"}},       {"TX", {"Houston", "Austin"}},
    {"UT", {"Salt Lake City", "Provo"}},    {"VT", {"Burlington", "Montpelier"}},
    {"VA", {"Virginia Beach", "Richmond"}}, {"WA", {"Seattle", "Spokane"}},
    {"WV", {"Charleston", "Morgantown"}},   {"WI", {"Milwaukee", "Madison"}},
    {"WY", {"Cheyenne", "Casper"}}};

constexpr const char* kTitles[] = {"Registered Nurse",
                                   "Licensed Practical Nurse",
                                   "Certified Nursing Assistant",
                                   "Medical Assistant",
                                   "Physical Therapist",
                                   "Pharmacy Technician",
                                   "Software Engineer",
                                   "Data Analyst",
                                   "DevOps Engineer",
                                   "Help Desk Technician",
                                   "Network Administrator",
                                   "Project Manager",
                                   "Business Analyst",
                                   "Accountant",
                                   "Payroll Specialist",
                                   "Administrative Assistant",
                                   "Customer Service Representative",
                                   "Warehouse Associate",
                                   "Forklift Operator",
                                   "CNC Machinist",
                                   "Welder",
                                   "Electrician",
                                   "Maintenance Technician",
                                   "Truck Driver",
                                   "Recruiter",
                                   "Sales Representative",
                                   "Paralegal",
                                   "Quality Inspector"};

constexpr const char* kSkills[] = {"patient care",
                                   "telemetry",
                                   "wound care",
                                   "IV therapy",
                                   "electronic health records",
                                   "medication administration",
                                   "triage",
                                   "phlebotomy",
                                   "BLS and ACLS",
                                   "HIPAA compliance",
                                   "Python",
                                   "SQL",
                                   "Kubernetes",
                                   "Terraform",
                                   "AWS",
                                   "Azure",
                                   "Linux administration",
                                   "Java",
                                   "React",
                                   "REST APIs",
                                   "data modeling",
                                   "Tableau",
                                   "Power BI",
                                   "Excel",
                                   "QuickBooks",
                                   "accounts payable",
                                   "general ledger",
                                   "month-end close",
                                   "ADP payroll",
                                   "Workday",
                                   "scheduling",
                                   "calendar management",
                                   "Salesforce",
                                   "cold calling",
                                   "account management",
                                   "contract review",
                                   "e-discovery",
                                   "legal research",
                                   "forklift operation",
                                   "inventory control",
                                   "RF scanning",
                                   "pick and pack",
                                   "OSHA safety",
                                   "lean manufacturing",
                                   "blueprint reading",
                                   "MIG welding",
                                   "TIG welding",
                                   "PLC troubleshooting",
                                   "preventive maintenance",
                                   "CDL Class A",
                                   "route planning",
                                   "DOT compliance",
                                   "Six Sigma",
                                   "root cause analysis",
                                   "ISO 9001",
                                   "Agile",
                                   "Scrum",
                                   "stakeholder management",
                                   "budgeting",
                                   "vendor management",
                                   "Zendesk",
                                   "conflict resolution",
                                   "bilingual Spanish",
                                   "full-cycle recruiting",
                                   "applicant tracking systems",
                                   "onboarding",
                                   "CPR certified",
                                   "team leadership"};

constexpr const char* kVerbs[] = {"Led",     "Supported", "Improved",    "Managed",
                                  "Built",   "Trained",   "Reduced",     "Coordinated",
                                  "Handled", "Delivered", "Streamlined", "Maintained"};
constexpr const char* kObjects[] = {"a team of twelve",
                                    "daily operations for a busy unit",
                                    "onboarding for new hires",
                                    "a backlog of requests",
                                    "inventory accuracy to 99 percent",
                                    "weekly reporting",
                                    "a migration to the cloud",
                                    "overtime costs",
                                    "customer escalations",
                                    "shift handoffs",
                                    "safety audits",
                                    "quarterly budgets"};
constexpr const char* kSettings[] = {
    "in a Level I trauma center",      "at a regional hospital", "for a Fortune 500 retailer",
    "at a third-party logistics firm", "for a fintech startup",  "at a county government office",
    "in a high-volume call center",    "at an automotive plant", "for a national law firm",
    "at a distribution center"};

constexpr const char* kClientHeads[] = {
    "Acme",        "Summit",      "Blue River", "Northwind",   "Lakeside",  "Granite",
    "Pioneer",     "Harbor",      "Redwood",    "Keystone",    "Evergreen", "Silverline",
    "Bright Path", "Ironwood",    "Cascade",    "Meridian",    "Prairie",   "Atlas",
    "Beacon",      "Cedar Point", "Frontier",   "Golden Gate", "Liberty",   "Maple",
    "Oakridge",    "Riverbend",   "Sunrise",    "Tristate",    "Valley",    "Westfield"};
constexpr const char* kClientTails[] = {"Health",         "Logistics", "Systems", "Manufacturing",
                                        "Partners",       "Bank",      "Foods",   "Energy",
                                        "Medical Center", "Solutions"};
constexpr const char* kJobStatus[] = {"open", "open", "filled", "filled", "filled", "closed"};

// Days since 1970-01-01 as YYYY-MM-DD (H. Hinnant's civil_from_days).
void AppendDate(int64_t days, std::string& out) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02lld-%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d));
  out += buffer;
}

constexpr int64_t kDay2022 = 18993;  // 2022-01-01
constexpr int64_t kDay2024 = 19723;  // 2024-01-01

void AppendInt(int64_t value, std::string& out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

// Cents as a decimal with two places: 5425 -> 54.25.
void AppendMoney(int64_t cents, std::string& out) {
  AppendInt(cents / 100, out);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + cents % 100 / 10));
  out.push_back(static_cast<char>('0' + cents % 10));
}

// Buffers lines and writes them in 1 MiB blocks.
class CsvFile {
 public:
  explicit CsvFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) FailErrno("create " + path);
    buffer_.reserve(kBlock + 4096);
  }
  ~CsvFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::string& line() { return buffer_; }
  void EndLine() {
    buffer_.push_back('\n');
    if (buffer_.size() >= kBlock) Flush();
  }
  uint64_t Close() {
    Flush();
    if (::close(fd_) != 0) FailErrno("close " + path_);
    fd_ = -1;
    return written_;
  }

 private:
  static constexpr size_t kBlock = 1 << 20;
  void Flush() {
    if (!WriteAll(fd_, buffer_.data(), buffer_.size())) FailErrno("write " + path_);
    written_ += buffer_.size();
    buffer_.clear();
  }

  std::string path_;
  int fd_ = -1;
  std::string buffer_;
  uint64_t written_ = 0;
};

// About 300 characters of resume text: a summary, then sentences of skills
// and achievements, cut at a word boundary. Commas and periods, no quotes.
void AppendResume(Rng& rng, const char* title, int years, std::string& out) {
  std::string text;
  text.reserve(360);
  text += title;
  text += " with ";
  AppendInt(years, text);
  text += " years of experience ";
  text += rng.Pick(kSettings);
  text += ".";
  const size_t target = 280 + rng.Below(41);  // 280..320
  while (text.size() < target) {
    if (rng.Below(2) == 0) {
      text += " Skilled in ";
      text += rng.Pick(kSkills);
      text += ", ";
      text += rng.Pick(kSkills);
      text += " and ";
      text += rng.Pick(kSkills);
      text += ".";
    } else {
      text += " ";
      text += rng.Pick(kVerbs);
      text += " ";
      text += rng.Pick(kObjects);
      text += " ";
      text += rng.Pick(kSettings);
      text += ".";
    }
  }
  if (text.size() > target) {
    size_t cut = text.rfind(' ', target);
    text.resize(cut);
    while (!text.empty() && (text.back() == ',' || text.back() == '.')) text.pop_back();
    text += ".";
  }
  out.push_back('"');
  out += text;
  out.push_back('"');
}

}  // namespace

std::string DateString(int64_t days) {
  std::string out;
  AppendDate(days, out);
  return out;
}

uint64_t WriteCandidatesCsv(const std::string& path, uint64_t rows) {
  Rng rng(0xC0FFEE01);
  CsvFile file(path);
  file.line() =
      "id,first_name,last_name,email,state,city,title,years_experience,hourly_rate,"
      "available_from,resume";
  file.EndLine();
  std::string email;
  for (uint64_t id = 1; id <= rows; ++id) {
    std::string& out = file.line();
    const char* first = rng.Pick(kFirstNames);
    const char* last = rng.Pick(kLastNames);
    const StateCities& state = rng.Pick(kStates);
    const char* title = rng.Pick(kTitles);
    const int years = static_cast<int>(rng.Between(0, 35));
    AppendInt(static_cast<int64_t>(id), out);
    out.push_back(',');
    out += first;
    out.push_back(',');
    out += last;
    out.push_back(',');
    email.clear();
    for (const char* p : {first, ".", last}) email += p;
    for (auto& c : email) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out += email;
    AppendInt(static_cast<int64_t>(id), out);
    out.push_back('@');
    out += rng.Pick(kDomains);
    out.push_back(',');
    out += state.state;
    out.push_back(',');
    out += state.cities[rng.Below(2)];
    out.push_back(',');
    out += title;
    out.push_back(',');
    AppendInt(years, out);
    out.push_back(',');
    AppendMoney(rng.Between(1500, 15000) + years * 50, out);
    out.push_back(',');
    AppendDate(kDay2024 + rng.Between(0, 729), out);
    out.push_back(',');
    AppendResume(rng, title, years, out);
    file.EndLine();
  }
  return file.Close();
}

uint64_t WriteJobsCsv(const std::string& path, uint64_t rows) {
  Rng rng(0xC0FFEE02);
  CsvFile file(path);
  file.line() = "id,client,title,state,city,opened_on,status,max_bill_rate";
  file.EndLine();
  for (uint64_t id = 1; id <= rows; ++id) {
    std::string& out = file.line();
    const StateCities& state = rng.Pick(kStates);
    AppendInt(static_cast<int64_t>(id), out);
    out.push_back(',');
    out += rng.Pick(kClientHeads);
    out.push_back(' ');
    out += rng.Pick(kClientTails);
    out.push_back(',');
    out += rng.Pick(kTitles);
    out.push_back(',');
    out += state.state;
    out.push_back(',');
    out += state.cities[rng.Below(2)];
    out.push_back(',');
    AppendDate(kDay2022 + rng.Between(0, 1275), out);
    out.push_back(',');
    out += rng.Pick(kJobStatus);
    out.push_back(',');
    AppendMoney(rng.Between(3000, 20000), out);
    file.EndLine();
  }
  return file.Close();
}

uint64_t WritePlacementsCsv(const std::string& path, uint64_t rows, uint64_t candidates,
                            uint64_t jobs) {
  Rng rng(0xC0FFEE03);
  CsvFile file(path);
  file.line() = "id,candidate_id,job_id,start_date,bill_rate,pay_rate";
  file.EndLine();
  for (uint64_t id = 1; id <= rows; ++id) {
    std::string& out = file.line();
    const int64_t bill = rng.Between(3000, 18000);
    const int64_t pay = bill * rng.Between(60, 80) / 100;
    AppendInt(static_cast<int64_t>(id), out);
    out.push_back(',');
    AppendInt(static_cast<int64_t>(1 + rng.Below(candidates)), out);
    out.push_back(',');
    AppendInt(static_cast<int64_t>(1 + rng.Below(jobs)), out);
    out.push_back(',');
    AppendDate(kDay2022 + rng.Between(0, 1275), out);
    out.push_back(',');
    AppendMoney(bill, out);
    out.push_back(',');
    AppendMoney(pay, out);
    file.EndLine();
  }
  return file.Close();
}

// ---------------------------------------------------------------------------
// The server.

ServerThread::ServerThread(server::HttpServer& server, const std::string& what) : server_(server) {
  auto port = server_.Bind(ListenAddress{"127.0.0.1", 0});
  Check(port.status(), what);
  port_ = *port;
  thread_ = std::thread([this] { server_.Run(); });
  // Stop() before the listen loop runs would be lost; wait for it.
  while (!server_.router().is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

ServerThread::~ServerThread() {
  server_.Stop();
  thread_.join();
}

ServeInProcess::ServeInProcess(const std::string& data_dir, bool with_query) {
  const std::filesystem::path data(data_dir);
  // As RunServe (src/cli/service_commands.cpp) with no config file.
  storage::LocalObjectStoreOptions store_options;
  store_options.root = (data / "objects").string();
  store_options.max_object_bytes = config_.storaged.max_object_bytes;
  auto store = storage::LocalObjectStore::Open(store_options);
  Check(store.status(), "open the local store");
  store_ = std::move(*store);
  catalog_ = std::make_unique<catalog::StoreCatalog>(*store_);

  ingest::IngestOptions ingest_options;
  ingest_options.scratch_dir = (data / "scratch" / "ingest").string();
  ingest_options.max_bytes = config_.catalogd.max_ingest_bytes;
  ingest_options.threads = config_.queryd.threads;
  ingest_options.memory_limit = config_.queryd.memory_limit;
  auto ingestor = ingest::Ingestor::Open(ingest_options, *store_, *catalog_);
  Check(ingestor.status(), "open the ingestor");
  ingestor_ = std::move(*ingestor);

  if (with_query) {
    query::QueryEngineOptions query_options;
    query_options.scratch_dir = (data / "scratch" / "query").string();
    query_options.timeout_ms = config_.queryd.timeout_ms;
    query_options.memory_limit = config_.queryd.memory_limit;
    query_options.threads = config_.queryd.threads;
    query_options.connections = static_cast<size_t>(config_.queryd.connections);
    query_options.max_rows = static_cast<size_t>(config_.queryd.max_rows);
    auto engine = query::QueryEngine::Open(query_options, *catalog_, *store_);
    Check(engine.status(), "open the query engine");
    engine_ = std::move(*engine);
  }

  const uint64_t max_body =
      std::max(config_.storaged.max_object_bytes, config_.catalogd.max_ingest_bytes);
  http_ = std::make_unique<server::HttpServer>(config_.http, max_body);
  server::RegisterDatasetRoutes(http_->router(), *catalog_, ingestor_.get());
  if (engine_) server::RegisterQueryRoutes(http_->router(), *engine_);
  running_.emplace(*http_, "bind the server");
}

std::unique_ptr<httplib::Client> ServeInProcess::Client() const {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port());
  client->set_keep_alive(true);
  // As http::ClientPool: without it, a request's body waits behind its
  // headers for the server's delayed ACK (40 ms) on a reused connection.
  client->set_tcp_nodelay(true);
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(600, 0);
  client->set_write_timeout(600, 0);
  return client;
}

std::vector<std::string> ServeInProcess::DataFilePaths(const std::string& dataset) {
  auto manifest = catalog_->GetCurrent(dataset);
  Check(manifest.status(), "look up " + dataset);
  std::vector<std::string> paths;
  for (const auto& file : manifest->files) {
    auto path = store_->LocalPathOf(file.key);
    if (!path) Fail("no local path for " + file.key);
    paths.push_back(*path);
  }
  return paths;
}

Upload PostFile(httplib::Client& client, const std::string& target, const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) FailErrno("open " + path);
  struct stat st {};
  ::fstat(fd, &st);
  const auto size = static_cast<size_t>(st.st_size);
  std::unique_ptr<char[]> buffer(new char[1 << 20]);
  bool read_failed = false;
  Upload upload;
  const auto start = Clock::now();
  auto result = client.Post(
      target, httplib::Headers{}, size,
      [&](size_t, size_t length, httplib::DataSink& sink) {
        ssize_t n;
        do {
          n = ::read(fd, buffer.get(), std::min<size_t>(length, 1 << 20));
        } while (n < 0 && errno == EINTR);
        if (n <= 0) {
          read_failed = true;
          return false;
        }
        return sink.write(buffer.get(), static_cast<size_t>(n));
      },
      "text/csv");
  upload.seconds = SecondsSince(start);
  ::close(fd);
  if (read_failed) Fail("read " + path + " failed or ended early");
  if (!result) Fail("POST " + target + ": " + httplib::to_string(result.error()));
  upload.status = result->status;
  upload.body = std::move(result->body);
  return upload;
}

Upload IngestFile(httplib::Client& client, const std::string& dataset, const std::string& path,
                  const char* mode, uint64_t expected_rows) {
  const std::string target = "/v1/datasets/" + dataset + "/ingest?format=csv&mode=" + mode;
  Upload upload = PostFile(client, target, path);
  if (upload.status != 201) {
    Fail("POST " + target + " answered " + std::to_string(upload.status) + ": " + upload.body);
  }
  auto body = nlohmann::json::parse(upload.body, nullptr, false);
  const uint64_t added = body.is_object() ? body.value("rows_added", uint64_t{0}) : 0;
  if (added != expected_rows) {
    Fail("ingest of " + dataset + " added " + std::to_string(added) + " rows, expected " +
         std::to_string(expected_rows) + ": " + upload.body);
  }
  return upload;
}

// ---------------------------------------------------------------------------
// The anchor.

AnchorDb::AnchorDb(int threads, const std::string& memory_limit, const std::string& temp_dir) {
  if (duckdb_open(nullptr, database_.out()) != DuckDBSuccess) Fail("cannot open the anchor DuckDB");
  if (duckdb_connect(database_.get(), connection_.out()) != DuckDBSuccess) {
    Fail("cannot connect to the anchor DuckDB");
  }
  Exec("SET threads = " + std::to_string(threads));
  Exec("SET memory_limit = " + SqlString(memory_limit));
  Exec("SET temp_directory = " + SqlString(temp_dir));
}

void AnchorDb::Exec(const std::string& sql) {
  Check(query::Exec(connection_.get(), sql), "anchor");
}

uint64_t AnchorDb::RowsChanged(const std::string& sql) {
  query::QueryResult result;
  if (duckdb_query(connection_.get(), sql.c_str(), result.out()) != DuckDBSuccess) {
    Fail("anchor: " + std::string(duckdb_result_error(result.get())) + " (in: " + sql + ")");
  }
  return duckdb_rows_changed(result.get());
}

AnchorDb::Fetched AnchorDb::Query(const std::string& sql) {
  query::QueryResult result;
  if (duckdb_query(connection_.get(), sql.c_str(), result.out()) != DuckDBSuccess) {
    Fail("anchor: " + std::string(duckdb_result_error(result.get())) + " (in: " + sql + ")");
  }
  Fetched fetched;
  fetched.columns = duckdb_column_count(result.get());
  std::vector<duckdb_type> types(fetched.columns);
  for (idx_t c = 0; c < fetched.columns; ++c) types[c] = duckdb_column_type(result.get(), c);
  while (true) {
    query::DataChunk chunk(duckdb_fetch_chunk(*result.get()));
    if (!chunk) break;
    const idx_t rows = duckdb_data_chunk_get_size(chunk.get());
    if (rows == 0) break;
    fetched.rows += rows;
    for (idx_t c = 0; c < fetched.columns; ++c) {
      const void* data = duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk.get(), c));
      switch (types[c]) {
        case DUCKDB_TYPE_BIGINT:
          for (idx_t r = 0; r < rows; ++r) {
            fetched.touched += static_cast<uint64_t>(static_cast<const int64_t*>(data)[r]);
          }
          break;
        case DUCKDB_TYPE_VARCHAR:
          for (idx_t r = 0; r < rows; ++r) {
            fetched.touched += static_cast<const duckdb_string_t*>(data)[r].value.inlined.length;
          }
          break;
        default:
          break;
      }
    }
  }
  return fetched;
}

}  // namespace lakehouse::bench
