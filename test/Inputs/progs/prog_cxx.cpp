#include "shapes.h"
#include <cstdio>

int main(int argc, char **) {
  std::vector<std::unique_ptr<Shape>> V;
  for (int I = 0; I < 4 + argc; ++I)
    V.push_back(makeShape(I % 2, I + 1.0));
  std::printf("cxx %.2f\n", totalArea(V));
  return 0;
}
