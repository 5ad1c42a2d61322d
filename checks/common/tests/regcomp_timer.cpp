// The oracle of regcomp_model_test: glibc's regcomp() CPU time for each
// pattern read from stdin (one a line), printed in milliseconds, one a
// line. Built without the sanitizers on purpose (no ca_options): under
// ASan, glibc's regcomp() allocates through ASan's malloc and runs fifty
// times slower, which would measure the sanitizer, not glibc.
#include <regex.h>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>

int main() {
  std::string pattern;
  while (std::getline(std::cin, pattern)) {
    timespec start{};
    timespec end{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
    regex_t re;
    const int rc = regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &end);
    if (rc == 0) regfree(&re);
    const double ms =
        static_cast<double>(end.tv_sec - start.tv_sec) * 1e3 + static_cast<double>(end.tv_nsec - start.tv_nsec) / 1e6;
    std::printf("%.3f\n", ms);
  }
  return 0;
}
