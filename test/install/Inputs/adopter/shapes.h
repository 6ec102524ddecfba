struct Shape {
  virtual ~Shape() = default;
  virtual long area() const = 0;
};
Shape *makeShape(int Kind, long Size);
long totalArea(Shape *const *Shapes, int N);
