#include "shapes.h"

extern "C" int greet(const char *Who, long N);

int main(int Argc, char **) {
  Shape *S[3] = {makeShape(0, 3), makeShape(1, 2), makeShape(2, Argc)};
  long A = totalArea(S, 3);
  for (Shape *X : S)
    delete X;
  greet("shapes", A);
  return 0;
}
