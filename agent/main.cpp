#include "registry.hpp"
int main() { return clinic_audit::check_types().empty() ? 1 : 0; }
