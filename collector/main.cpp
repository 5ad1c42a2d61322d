#include <iostream>

#include "collector_cli.hpp"

int main(int argc, char** argv) { return clinic_audit::collector::run_collector_cli(argc, argv, std::cout, std::cerr); }
