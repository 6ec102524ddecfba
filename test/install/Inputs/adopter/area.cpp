#include "shapes.h"

long totalArea(Shape *const *Shapes, int N) {
  long Sum = 0;
  for (int I = 0; I < N; ++I)
    Sum += Shapes[I]->area();
  return Sum;
}
