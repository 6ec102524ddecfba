#include <cstdio>
#include <cstdlib>
int call_it(int x);
int main(int argc, char **argv) { int x = argc > 1 ? std::atoi(argv[1]) : 1; try { std::printf("%d\n", call_it(x)); } catch (int e) { std::printf("caught %d\n", e); } }
