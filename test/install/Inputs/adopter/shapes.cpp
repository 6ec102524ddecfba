#include "shapes.h"

namespace {
struct Square : Shape {
  long Side;
  explicit Square(long S) : Side(S) {}
  long area() const override { return Side * Side; }
};
struct Rect : Shape {
  long W, H;
  Rect(long W, long H) : W(W), H(H) {}
  long area() const override { return W * H; }
};
} // namespace

Shape *makeShape(int Kind, long Size) {
  if (Kind == 0)
    return new Square(Size);
  return new Rect(Size, Size + Kind);
}
